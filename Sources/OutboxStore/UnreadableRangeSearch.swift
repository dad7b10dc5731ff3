/// Where reading can resume past a damaged part of a b-tree.
///
/// A seek to seq `s` fails exactly when the page that would hold `s` is unreadable. So once a read
/// fails at `failed`, seeks fail for every seq up to the end of that page's key range and work again
/// after it: the first seq that works is found with an exponential search (1, 2, 4, … past `failed`)
/// and then a bisection, O(log distance) seeks. Two damaged pages close together can hide readable
/// rows between them from the bisection; those are reported with the unreadable range, never invented.
enum UnreadableRangeSearch {
    /// The smallest seq in `(failed, bound]` whose `probe` works, with what the probe returned; nil
    /// when none does. `probe` returns nil when the seek fails. Any `0 <= failed` and `bound` up to
    /// `Int64.max`: no step of the search can overflow.
    static func resume<T>(after failed: Int64, bound: Int64, probe: (Int64) -> T?) -> (seq: Int64, value: T)? {
        var unreadable = max(failed, 0)
        var step: Int64 = 1
        var readable: (seq: Int64, value: T)?
        while readable == nil {
            guard unreadable < bound else { return nil }
            // Both are at least 0 here, so the distance cannot overflow, nor can `unreadable + step`
            // below it.
            let candidate = step < bound - unreadable ? unreadable + step : bound
            if let value = probe(candidate) {
                readable = (candidate, value)
            } else {
                unreadable = candidate
                step = step > Int64.max / 2 ? Int64.max : step * 2
            }
        }
        guard var found = readable else { return nil }
        while found.seq - unreadable > 1 {
            let middle = unreadable + (found.seq - unreadable) / 2
            if let value = probe(middle) {
                found = (middle, value)
            } else {
                unreadable = middle
            }
        }
        return found
    }
}
