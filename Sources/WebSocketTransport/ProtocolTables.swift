internal import CWebSockets
import Foundation

/// The `lws_protocols` arrays lws keeps pointers to for the whole life of the context.
final class ProtocolTables {
    static let webSocketClientName = "cc-ws-client"
    static let httpClientName = "cc-http-client"
    static let serverName = "cc-server"

    /// For client vhosts: outgoing WebSockets and outgoing HTTP requests.
    let client: UnsafeMutablePointer<lws_protocols>
    /// For listening vhosts: HTTP requests and WebSocket upgrades on the same port.
    let server: UnsafeMutablePointer<lws_protocols>
    let strings = CStrings()

    init() {
        client = .allocate(capacity: 3)
        server = .allocate(capacity: 2)
        client[0] = Self.entry(strings.make(Self.webSocketClientName))
        client[1] = Self.entry(strings.make(Self.httpClientName))
        client[2] = lws_protocols()
        server[0] = Self.entry(strings.make(Self.serverName))
        server[1] = lws_protocols()
    }

    private static func entry(_ name: UnsafePointer<CChar>) -> lws_protocols {
        var entry = lws_protocols()
        entry.name = name
        entry.callback = lwsTransportCallback
        // Large enough that a 1 MiB message arrives in few callbacks, small enough per connection.
        entry.rx_buffer_size = 64 * 1024
        return entry
    }

    deinit {
        client.deallocate()
        server.deallocate()
    }
}
