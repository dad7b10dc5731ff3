import ConnectorCore
import WebSocketTransport

/// What `GET {api}/device-token` gave (PROTOCOL §3.1), as the connection state machine's events
/// want it. No case carries the response body: a cloud may echo credentials in it.
enum TokenFetchResult: Sendable {
    case fetched(DeviceToken, expiresIn: Duration?)
    case refused(status: Int)
    case failed(reason: String)

    var event: ConnectionEvent {
        switch self {
        case .fetched(let token, let expiresIn): .tokenFetched(token, expiresIn: expiresIn)
        case .refused(let status): .tokenRefused(status: status)
        case .failed(let reason): .tokenFailed(reason: reason)
        }
    }
}

/// Fetches device tokens over the event loop's HTTP client.
struct TokenClient: Sendable {
    let loop: WebSocketEventLoop
    /// `{api}/device-token`.
    let url: String
    /// The same URL without credentials, for error texts.
    let displayURL: String
    let deviceID: String
    let tenantID: String
    let apiKey: APIKey?
    let tls: TLSConfiguration
    var timeout: Duration = .seconds(10)

    init(
        loop: WebSocketEventLoop, apiURL: String, displayAPIURL: String, deviceID: String, tenantID: String,
        apiKey: APIKey?, tls: TLSConfiguration
    ) {
        self.loop = loop
        url = Self.tokenURL(apiURL)
        displayURL = Self.tokenURL(displayAPIURL)
        self.deviceID = deviceID
        self.tenantID = tenantID
        self.apiKey = apiKey
        self.tls = tls
    }

    /// `{api}` may carry a path (`https://cloud.example/api`): the endpoint goes below it.
    static func tokenURL(_ api: String) -> String {
        var base = Substring(api)
        while base.hasSuffix("/") { base = base.dropLast() }
        return base + "/device-token"
    }

    /// What `fetch` sends; `TokenProbe` sends the same, so a diagnosis tests exactly what the link does.
    var request: HTTPClientRequest {
        var headers: HTTPHeaders = [:]
        headers.add(name: "X-Device-Id", value: deviceID)
        headers.add(name: "X-Tenant-Id", value: tenantID)
        headers.add(name: "Accept", value: "application/json")
        if let apiKey { headers.add(name: "Authorization", value: "Bearer " + apiKey.revealed) }
        return HTTPClientRequest(method: .get, url: url, headers: headers, tls: tls, timeout: timeout, maxResponseBytes: 64 << 10)
    }

    func fetch() async -> TokenFetchResult {
        let response: HTTPClientResponse
        do {
            response = try await loop.send(request)
        } catch {
            return .failed(reason: "GET \(displayURL): \(error)")
        }
        return Self.interpret(response, displayURL: displayURL)
    }

    static func interpret(_ response: HTTPClientResponse, displayURL: String) -> TokenFetchResult {
        switch response.status {
        case 200:
            return parse(response.body, displayURL: displayURL)
        case 401, 403:
            return .refused(status: response.status)
        default:
            return .failed(reason: "GET \(displayURL) answered HTTP \(response.status)")
        }
    }

    /// `{"token": "…", "expires_in": 3600}`; `expires_in` optional (seconds, may be fractional).
    static func parse(_ body: [UInt8], displayURL: String) -> TokenFetchResult {
        guard case .object(let object)? = try? JSON.parse(body) else {
            return .failed(reason: "GET \(displayURL) answered 200 without a JSON object")
        }
        guard case .string(let token)? = object["token"], !token.isEmpty else {
            return .failed(reason: "GET \(displayURL) answered 200 without a \"token\" string")
        }
        var expiresIn: Duration?
        switch object["expires_in"] {
        case nil, .null?:
            break
        case .number(let number)?:
            guard let seconds = Double(number.literal), seconds > 0, seconds.isFinite else {
                return .failed(reason: "GET \(displayURL) answered an expires_in that is not a positive number")
            }
            expiresIn = .milliseconds(Int64(min(seconds, 1e9) * 1000))
        default:
            return .failed(reason: "GET \(displayURL) answered an expires_in that is not a number")
        }
        return .fetched(DeviceToken(token), expiresIn: expiresIn)
    }
}
