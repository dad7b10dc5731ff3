/// A JSON object that keeps its key order (as parsed, or as inserted), so encoding is stable.
///
/// Equality and hashing ignore key order: two objects with the same members are equal, as in JSON's
/// data model. Lookups scan linearly while the object is small (the common case: no hashing, no
/// allocation) and switch to a hash index once it grows, so hostile inputs with many keys stay linear.
public struct JSONObject: Sendable, Sequence {
    public typealias Element = (key: String, value: JSONValue)

    private var entries: [Element]
    /// Key -> position in `entries`; empty while `entries.count <= Self.linearScanLimit`.
    private var positions: [String: Int]

    static let linearScanLimit = 12

    public init() {
        entries = []
        positions = [:]
    }

    /// A repeated key keeps its first position and takes the last value.
    public init(_ entries: [(String, JSONValue)]) {
        self.init()
        self.entries.reserveCapacity(entries.count)
        for (key, value) in entries { self[key] = value }
    }

    public var keys: [String] { entries.map(\.key) }
    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }

    public func makeIterator() -> IndexingIterator<[Element]> { entries.makeIterator() }

    /// Setting nil removes the key; setting an existing key replaces its value in place.
    public subscript(key: String) -> JSONValue? {
        get {
            guard let position = position(of: key) else { return nil }
            return entries[position].value
        }
        set {
            if let position = position(of: key) {
                if let newValue {
                    entries[position].value = newValue
                } else {
                    entries.remove(at: position)
                    rebuildPositions()
                }
            } else if let newValue {
                append(key: key, value: newValue)
            }
        }
    }

    /// Appends a key known to be new; false (and no change) when it is already present.
    /// The parser uses this to reject duplicate keys in one pass.
    mutating func insertNew(key: String, value: JSONValue) -> Bool {
        if position(of: key) != nil { return false }
        append(key: key, value: value)
        return true
    }

    private func position(of key: String) -> Int? {
        if positions.isEmpty {
            return entries.firstIndex { $0.key == key }
        }
        return positions[key]
    }

    private mutating func append(key: String, value: JSONValue) {
        entries.append((key: key, value: value))
        if !positions.isEmpty {
            positions[key] = entries.count - 1
        } else if entries.count > Self.linearScanLimit {
            rebuildPositions()
        }
    }

    private mutating func rebuildPositions() {
        guard entries.count > Self.linearScanLimit else {
            positions = [:]
            return
        }
        var rebuilt: [String: Int] = [:]
        rebuilt.reserveCapacity(entries.count)
        for (position, entry) in entries.enumerated() { rebuilt[entry.key] = position }
        positions = rebuilt
    }
}

extension JSONObject: Hashable {
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for (key, value) in lhs.entries {
            guard let other = rhs[key], other == value else { return false }
        }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        // Order-independent, to agree with ==: combine the members' own hashes commutatively.
        var combined = 0
        for (key, value) in entries {
            var memberHasher = Hasher()
            memberHasher.combine(key)
            memberHasher.combine(value)
            combined = combined &+ memberHasher.finalize()
        }
        hasher.combine(entries.count)
        hasher.combine(combined)
    }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(elements)
    }
}

extension JSONObject: CustomStringConvertible {
    public var description: String { JSONValue.object(self).description }
}
