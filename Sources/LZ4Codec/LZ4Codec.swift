internal import CLZ4
