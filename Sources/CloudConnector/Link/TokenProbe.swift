public import ConnectorCore
import Foundation
public import WebSocketTransport

/// One `GET {api}/device-token` exactly as the link sends it (PROTOCOL §3.1), with what a diagnosis
/// needs beyond the token: the status, the cloud's `Date` header, and when the request left and how
/// long the answer took, to estimate the clock difference. For `cloud-connector doctor`.
public struct TokenProbe: Sendable {
    public enum Outcome: Sendable {
        /// 200 with a usable token (never shown: `DeviceToken`'s text forms are placeholders).
        case issued(DeviceToken, expiresIn: Duration?)
        /// 401 or 403: the cloud does not let this device in.
        case refused(status: Int)
        /// Any other status, or a 200 whose body is not `{"token": …}`; the reason never quotes the body.
        case unusable(reason: String)
    }

    public struct Answer: Sendable {
        public let status: Int
        public let outcome: Outcome
        /// The `Date` header as sent, nil when the cloud sent none.
        public let date: String?
        /// Wall-clock Unix milliseconds when the request was started.
        public let sentAtMS: Int64
        /// From starting the request to the complete answer (monotonic; connect and TLS included).
        public let roundTrip: Duration
    }

    /// `{api}/device-token` without credentials, for messages.
    public let displayURL: String
    private let client: TokenClient

    public init(
        loop: WebSocketEventLoop, apiURL: String, displayAPIURL: String, deviceID: String, tenantID: String,
        apiKey: APIKey?, tls: TLSConfiguration, timeout: Duration
    ) {
        var client = TokenClient(
            loop: loop, apiURL: apiURL, displayAPIURL: displayAPIURL, deviceID: deviceID, tenantID: tenantID,
            apiKey: apiKey, tls: tls)
        client.timeout = timeout
        self.client = client
        displayURL = client.displayURL
    }

    /// `{api}/device-token`, as the link builds it.
    public static func endpoint(_ apiURL: String) -> String { TokenClient.tokenURL(apiURL) }

    /// The answer, or the transport's reason for not getting one (its text names the real cause,
    /// a certificate error included, and never a header value).
    public func run() async -> Result<Answer, TransportError> {
        let sentAtMS = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
        let started = ContinuousClock.now
        let response: HTTPClientResponse
        do {
            response = try await client.loop.send(client.request)
        } catch {
            return .failure(error)
        }
        let roundTrip = ContinuousClock.now - started
        let outcome: Outcome =
            switch TokenClient.interpret(response, displayURL: displayURL) {
            case .fetched(let token, let expiresIn): .issued(token, expiresIn: expiresIn)
            case .refused(let status): .refused(status: status)
            case .failed(let reason): .unusable(reason: reason)
            }
        return .success(
            Answer(status: response.status, outcome: outcome, date: response.headers["Date"], sentAtMS: sentAtMS, roundTrip: roundTrip))
    }
}
