/// Device and tenant ids travel in HTTP headers (X-Device-Id, X-Tenant-Id) and in file names, so
/// they are 1–256 printable ASCII characters without whitespace.
public enum IdentifierRules {
    public static let maxLength = 256

    /// nil when `text` is acceptable, else why not.
    public static func problem(with text: String) -> String? {
        if text.isEmpty { return "is empty" }
        if text.utf8.count > maxLength { return "is longer than \(maxLength) characters" }
        if text.utf8.contains(where: { $0 < 0x21 || $0 > 0x7E }) {
            return "may only hold printable ASCII characters without spaces"
        }
        return nil
    }
}
