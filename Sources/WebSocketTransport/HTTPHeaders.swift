/// One HTTP header field.
public struct HTTPHeader: Sendable, Equatable {
    public var name: String
    public var value: String
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// An ordered list of HTTP header fields with case-insensitive lookup. Its description shows
/// only the names, so a header list can be logged without leaking credentials.
public struct HTTPHeaders: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral,
    CustomStringConvertible
{
    public private(set) var fields: [HTTPHeader] = []

    public init(_ fields: [HTTPHeader] = []) { self.fields = fields }

    public init(dictionaryLiteral elements: (String, String)...) {
        fields = elements.map { HTTPHeader(name: $0.0, value: $0.1) }
    }

    /// The first value for `name`, compared case-insensitively.
    public subscript(name: String) -> String? {
        let wanted = name.lowercased()
        return fields.first { $0.name.lowercased() == wanted }?.value
    }

    public mutating func add(name: String, value: String) {
        fields.append(HTTPHeader(name: name, value: value))
    }

    /// Replaces every field called `name` with one field.
    public mutating func set(name: String, value: String) {
        let wanted = name.lowercased()
        fields.removeAll { $0.name.lowercased() == wanted }
        fields.append(HTTPHeader(name: name, value: value))
    }

    public func makeIterator() -> IndexingIterator<[HTTPHeader]> { fields.makeIterator() }

    public var description: String { "[" + fields.map(\.name).joined(separator: ", ") + "]" }
}
