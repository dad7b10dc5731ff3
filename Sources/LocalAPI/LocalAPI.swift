// Placeholder until the local API lands (issue 4).
