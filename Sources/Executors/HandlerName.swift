/// Tool names and playbook codes come from the cloud and become one path component under the
/// handlers directory, so only names that cannot leave it are accepted: 1–128 characters from
/// `[A-Za-z0-9._-]`, not starting with a dot (which also rules out `.` and `..`). `/`, NUL, spaces
/// and everything else are refused outright rather than escaped: no name needs them.
enum HandlerName {
    static let maxLength = 128

    /// nil when `name` is acceptable, else why not (completing "tool name X …").
    static func problem(with name: String) -> String? {
        let bytes = Array(name.utf8)
        if bytes.isEmpty { return "is empty" }
        if bytes.count > maxLength { return "is longer than \(maxLength) characters" }
        if bytes[0] == UInt8(ascii: ".") { return "starts with a dot" }
        for byte in bytes where !isAllowed(byte) {
            return "contains a character other than A-Z a-z 0-9 . _ -"
        }
        return nil
    }

    private static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
            true
        default:
            false
        }
    }
}
