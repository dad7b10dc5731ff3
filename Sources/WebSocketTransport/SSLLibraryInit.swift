internal import CWebSockets
import Foundation

/// Which `lws_context` in the process sets up OpenSSL's global state.
///
/// libwebsockets 4.1 (Debian bookworm) allocates fresh OpenSSL ex-data indexes into a library-wide
/// static each time a context is created with `LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT`, and finds a
/// socket during certificate verification through that static. A context created on one thread
/// while another loop's TLS handshake is under way therefore fails that handshake with a bare
/// "connect SSL err 1" (seen in CI, and possible in `run`, which starts several loops at once).
/// So only the first context of the process does the global init; later contexts leave it out,
/// and their vhosts still opt into TLS with the same flag in their own options. The price: lws
/// frees a vhost's `SSL_CTX` at teardown only in a context that did the global init, so a later
/// loop that used TLS leaves its few `SSL_CTX`s behind when it stops. The service creates its
/// loops once, and plain (`ws://`) vhosts never build one (see `clientVhost(for:secure:)`).
enum SSLLibraryInit {
    /// @unchecked: `done` is only read and written with `lock` held.
    private final class State: @unchecked Sendable {
        let lock = NSLock()
        var done = false
    }

    private static let state = State()

    /// Creates a context, adding the global TLS init only for the first one in the process (or
    /// for every one with the test-only fault `initSSLForEveryContext`).
    static func createContext(
        _ info: inout lws_context_creation_info, faults: TransportFaults
    ) -> OpaquePointer? {
        state.lock.lock()
        defer { state.lock.unlock() }
        let initialise = !state.done || faults.contains(.initSSLForEveryContext)
        info.options = cws_context_options(initialise ? 1 : 0)
        guard let context = lws_create_context(&info) else { return nil }
        if initialise { state.done = true }
        return context
    }
}
