/// An HTTP method, e.g. `.get`.
public struct HTTPMethod: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue.uppercased() }

    public static let get = HTTPMethod(rawValue: "GET")
    public static let post = HTTPMethod(rawValue: "POST")
    public static let put = HTTPMethod(rawValue: "PUT")
    public static let delete = HTTPMethod(rawValue: "DELETE")

    public var description: String { rawValue }
}

/// The request line and headers of an incoming HTTP request or WebSocket upgrade.
public struct HTTPRequestHead: Sendable, Equatable {
    public var method: HTTPMethod
    /// The URL path, e.g. `/device-token`.
    public var path: String
    /// The query without `?`, or nil when there was none.
    public var query: String?
    public var headers: HTTPHeaders

    public init(method: HTTPMethod, path: String, query: String? = nil, headers: HTTPHeaders = [:]) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
    }
}

/// An HTTP request received by a `WebSocketServer`.
public struct HTTPServerRequest: Sendable, Equatable {
    public var head: HTTPRequestHead
    public var body: [UInt8]

    public init(head: HTTPRequestHead, body: [UInt8] = []) {
        self.head = head
        self.body = body
    }
}

/// The answer an HTTP handler gives.
public struct HTTPServerResponse: Sendable, Equatable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: Int, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A response with a UTF-8 body and its content type.
    public init(status: Int, contentType: String, body: String, headers: HTTPHeaders = [:]) {
        var headers = headers
        headers.set(name: "Content-Type", value: contentType)
        self.init(status: status, headers: headers, body: Array(body.utf8))
    }
}

/// An outgoing HTTP request; `url` is `http://` or `https://`.
public struct HTTPClientRequest: Sendable {
    public var method: HTTPMethod
    public var url: String
    /// Values are never logged.
    public var headers: HTTPHeaders
    public var body: [UInt8]
    public var tls: TLSConfiguration
    /// For the whole exchange, from connecting to the last body byte (also when streamed).
    public var timeout: Duration
    /// The whole body, also when streamed; more fails with `.responseTooLarge`.
    public var maxResponseBytes: Int
    /// Non-standard response headers to capture (standard ones such as `Content-Type` always are).
    public var extraResponseHeaderNames: [String]

    public init(
        method: HTTPMethod = .get, url: String, headers: HTTPHeaders = [:], body: [UInt8] = [],
        tls: TLSConfiguration = TLSConfiguration(), timeout: Duration = .seconds(10),
        maxResponseBytes: Int = 1 << 20, extraResponseHeaderNames: [String] = []
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.tls = tls
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
        self.extraResponseHeaderNames = extraResponseHeaderNames
    }
}

/// What an HTTP server answered.
public struct HTTPClientResponse: Sendable, Equatable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: Int, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The body decoded as UTF-8 (invalid bytes replaced).
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}
