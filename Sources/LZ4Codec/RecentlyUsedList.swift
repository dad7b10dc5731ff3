/// A tiny most-recently-used list for per-thread prepared dictionaries. Linear search is right
/// here: the list holds a handful of entries and the hit is almost always the first one.
struct RecentlyUsedList<Element: AnyObject> {
    private let capacity: Int
    private var elements: [Element] = []

    init(capacity: Int) {
        precondition(capacity > 0, "a cache must hold at least one entry")
        self.capacity = capacity
    }

    /// The first element that `matches`, moved to the front; otherwise a new one from `make`,
    /// evicting the least recently used if the list is full.
    mutating func element(where matches: (Element) -> Bool, orInsert make: () -> Element) -> Element {
        if let first = elements.first, matches(first) {
            return first
        }
        if let index = elements.firstIndex(where: matches) {
            let hit = elements.remove(at: index)
            elements.insert(hit, at: 0)
            return hit
        }
        let fresh = make()
        if elements.count == capacity {
            elements.removeLast()
        }
        elements.insert(fresh, at: 0)
        return fresh
    }
}
