import Foundation

/// The local bearer token that guards the local API's writes: `<data>/local_token`, one line of 64
/// hex digits (32 random bytes), mode 0600. Local-Core reads it from the file; no other local user
/// can, so no other user can append usage to this device's bill (issue 4, "Local API").
///
/// Created once and then only read: callers hold the token they read at their start, so replacing
/// it behind their back would lock them out. A file that is empty, garbled, not ours or readable by
/// others is therefore an error for a person to resolve, never something to overwrite.
///
/// The value never appears in descriptions, mirrors, logs or error texts.
public struct LocalToken: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public static let fileName = "local_token"
    /// 32 bytes as hex.
    public static let hexLength = 64
    static let maxFileBytes = 4_096

    /// Where the token was read from (or written to).
    public let path: String
    /// Whether this call created the file (the first start on this data directory).
    public let created: Bool
    private let secret: [UInt8]

    private init(path: String, created: Bool, secret: [UInt8]) {
        self.path = path
        self.created = created
        self.secret = secret
    }

    /// Reads `<directory>/local_token`, creating it with a fresh random token when it does not exist.
    public static func loadOrCreate(directory: String) throws(LocalTokenError) -> LocalToken {
        let path = directory + "/" + fileName
        if let secret = try TokenFile.secret(at: path) {
            return LocalToken(path: path, created: false, secret: secret)
        }
        let (secret, created) = try TokenFile.create(path, secret: randomSecret())
        return LocalToken(path: path, created: created, secret: secret)
    }

    /// Reads an existing `<directory>/local_token`: for local clients, which must never create one.
    public static func load(directory: String) throws(LocalTokenError) -> LocalToken {
        let path = directory + "/" + fileName
        guard let secret = try TokenFile.secret(at: path) else {
            throw .unreadable(path: path, reason: "it does not exist (`cloud-connector run` creates it)")
        }
        return LocalToken(path: path, created: false, secret: secret)
    }

    /// Whether an `Authorization` header value is `Bearer <this token>`. The scheme is
    /// case-insensitive (RFC 9110 §11.1); the token is compared in constant time.
    public func accepts(authorization header: String?) -> Bool {
        guard let header else { return false }
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        let scheme = "bearer "
        guard trimmed.count > scheme.count, trimmed.prefix(scheme.count).lowercased() == scheme else { return false }
        let presented = trimmed.dropFirst(scheme.count).trimmingCharacters(in: .whitespaces)
        return matches(presented)
    }

    /// Constant-time comparison: the time taken depends only on the token's own (fixed) length, never
    /// on how many leading characters of a guess are right.
    public func matches(_ candidate: String) -> Bool {
        let presented = Array(candidate.utf8)
        var difference: UInt8 = presented.count == secret.count ? 0 : 1
        for index in 0..<secret.count {
            let byte = index < presented.count ? presented[index] : 0
            difference |= secret[index] ^ byte
        }
        return difference == 0
    }

    /// `Bearer <token>`, for in-process clients (tests, local agents started by this process). Put it
    /// in a request header only; never log it.
    public var authorizationHeaderValue: String { "Bearer " + String(decoding: secret, as: UTF8.self) }

    public var description: String { "LocalToken(\(path), redacted)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["path": path]) }

    /// 32 bytes from the system's CSPRNG (getrandom on Linux), as lower-case hex.
    static func randomSecret() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(hexLength)
        for _ in 0..<(hexLength / 2) {
            let byte = UInt8.random(in: 0...255, using: &generator)
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0F)])
        }
        return hex
    }

    /// One line of exactly `hexLength` hex digits.
    static func isWellFormed(_ secret: [UInt8]) -> Bool {
        secret.count == hexLength && secret.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x61...0x66).contains(byte) || (0x41...0x46).contains(byte)
        }
    }
}
