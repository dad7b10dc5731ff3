@testable import CloudConnector
import ConnectorCore
import Testing

/// PROTOCOL §3.1's answer, `200 {"token": "…", "expires_in": 3600}`, and every way a cloud can get
/// it wrong: a clear reason that names the endpoint, never the token.
@Suite("Device token responses")
struct TokenResponseTests {
    static let url = "https://cloud.example/device-token"

    static func parse(_ body: String) -> TokenFetchResult {
        TokenClient.parse(Array(body.utf8), displayURL: url)
    }

    @Test("a token with expires_in in seconds, whole or fractional")
    func tokenWithExpiry() throws {
        guard case .fetched(let token, let expiresIn) = Self.parse(#"{"token":"tok-123","expires_in":3600}"#) else {
            Issue.record("not fetched")
            return
        }
        #expect(token.revealed == "tok-123")
        #expect(expiresIn == .seconds(3600))
        guard case .fetched(_, let fractional) = Self.parse(#"{"token":"t","expires_in":1.5,"extra":true}"#) else {
            Issue.record("not fetched")
            return
        }
        #expect(fractional == .milliseconds(1500))
    }

    @Test("expires_in absent or null: no expiry known")
    func tokenWithoutExpiry() {
        for body in [#"{"token":"t"}"#, #"{"token":"t","expires_in":null}"#] {
            guard case .fetched(_, let expiresIn) = Self.parse(body) else {
                Issue.record("not fetched: \(body)")
                continue
            }
            #expect(expiresIn == nil)
        }
    }

    @Test("malformed answers fail with a reason naming the endpoint, and never echo a token", arguments: [
        (#"not json"#, "without a JSON object"),
        (#"["tok"]"#, "without a JSON object"),
        (#"{"token":""}"#, #"without a "token" string"#),
        (#"{"token":42}"#, #"without a "token" string"#),
        (#"{"access_token":"secret-tok"}"#, #"without a "token" string"#),
        (#"{"token":"secret-tok","expires_in":0}"#, "not a positive number"),
        (#"{"token":"secret-tok","expires_in":-5}"#, "not a positive number"),
        (#"{"token":"secret-tok","expires_in":"3600"}"#, "not a number"),
    ])
    func malformed(_ body: String, _ expected: String) {
        guard case .failed(let reason) = Self.parse(body) else {
            Issue.record("accepted: \(body)")
            return
        }
        #expect(reason.contains(expected), "\(reason)")
        #expect(reason.contains(Self.url))
        #expect(!reason.contains("secret-tok"))
    }
}
