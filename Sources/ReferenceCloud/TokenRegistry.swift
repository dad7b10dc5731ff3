import Synchronization

/// A device token the cloud issued. The value is a secret: never logged.
struct IssuedToken: Sendable {
    var token: String
    var deviceID: String
    var tenantID: String
    var expiresMS: Int64
}

/// Issued tokens, readable synchronously from the upgrade filter (which runs on the event-loop
/// thread and must not await), hence a Mutex rather than an actor.
final class TokenRegistry: Sendable {
    private let tokens = Mutex<[String: IssuedToken]>([:])

    func insert(_ token: IssuedToken) {
        tokens.withLock { $0[token.token] = token }
    }

    /// The token's record when it exists, is unexpired and belongs to this device.
    func valid(_ token: String, deviceID: String, nowMS: Int64) -> IssuedToken? {
        tokens.withLock { all in
            guard let issued = all[token], issued.deviceID == deviceID, issued.expiresMS > nowMS else { return nil }
            return issued
        }
    }

    /// 32 random bytes as hex: opaque, unguessable.
    static func makeToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in
            let byte = UInt8.random(in: .min ... .max, using: &generator)
            return String(byte, radix: 16).count == 1 ? "0" + String(byte, radix: 16) : String(byte, radix: 16)
        }.joined()
    }
}
