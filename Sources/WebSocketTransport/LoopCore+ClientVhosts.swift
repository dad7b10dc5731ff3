internal import CWebSockets
import Foundation

extension LoopCore {
    /// Plain connections share one vhost without TLS; secure ones are keyed by trust anchor, as lws
    /// binds the CA file to the vhost, not to a socket.
    func vhostKey(_ tls: TLSConfiguration?, secure: Bool) -> String {
        secure ? "tls:" + (tls?.caFile ?? "system") : "plain"
    }

    /// The vhost for outgoing connections, plain or with this trust configuration, created on first use.
    func clientVhost(for tls: TLSConfiguration, secure: Bool) throws(TransportError) -> OpaquePointer {
        let key = vhostKey(tls, secure: secure)
        if let existing = clientVhosts[key] { return existing }
        if secure, let caFile = tls.caFile, !FileManager.default.isReadableFile(atPath: caFile) {
            throw .tlsConfiguration("CA file \(caFile) is not readable")
        }
        var info = lws_context_creation_info()
        info.port = CONTEXT_PORT_NO_LISTEN
        info.protocols = UnsafePointer(protocols.client)
        info.vhost_name = vhostStrings.make("client-\(clientVhosts.count)")
        // With a CA file configured, only that CA is trusted.
        info.options = cws_client_vhost_options(secure ? 1 : 0, tls.caFile == nil ? 0 : 1)
        info.client_ssl_ca_filepath = secure ? vhostStrings.make(tls.caFile) : nil
        info.gid = -1
        info.uid = -1
        guard let vhost = lws_create_vhost(context, &info) else {
            throw .tlsConfiguration("cannot set up TLS client context" + (tls.caFile.map { " with CA file \($0)" } ?? ""))
        }
        clientVhosts[key] = vhost
        return vhost
    }

    /// `LCCSCF_*` flags for a connection to `endpoint`.
    func sslFlags(_ endpoint: Endpoint, _ tls: TLSConfiguration) -> Int32 {
        guard endpoint.secure else { return 0 }
        var flags = LCCSCF_USE_SSL.rawValue
        if tls.allowInsecure {
            flags |= LCCSCF_ALLOW_SELFSIGNED.rawValue | LCCSCF_SKIP_SERVER_CERT_HOSTNAME_CHECK.rawValue
                | LCCSCF_ALLOW_EXPIRED.rawValue | LCCSCF_ALLOW_INSECURE.rawValue
        }
        return Int32(bitPattern: flags)
    }

    func warnIfInsecure(_ endpoint: Endpoint, _ tls: TLSConfiguration) {
        guard endpoint.secure && tls.allowInsecure else { return }
        logger.warning(
            "TLS certificate verification is DISABLED (allowInsecure): the server's identity is not checked",
            metadata: ["endpoint": "\(endpoint.display)"])
    }

    /// Writes `headers` into a client handshake (`in` of CLIENT_APPEND_HANDSHAKE_HEADER).
    func appendHeaders(
        _ headers: HTTPHeaders, _ wsi: OpaquePointer, _ input: UnsafeMutableRawPointer?, _ length: Int
    ) -> Int32 {
        guard let input else { return -1 }
        let cursor = input.assumingMemoryBound(to: UnsafeMutablePointer<UInt8>?.self)
        guard let start = cursor.pointee else { return -1 }
        let end = start + length
        for header in headers {
            if addHeader(header.name, header.value, wsi, cursor, end) != 0 {
                logger.error("client handshake headers do not fit", metadata: ["header": "\(header.name)"])
                return -1
            }
        }
        return 0
    }

    func addHeader(
        _ name: String, _ value: String, _ wsi: OpaquePointer,
        _ cursor: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>, _ end: UnsafeMutablePointer<UInt8>
    ) -> Int32 {
        let nameBytes = Array((name.lowercased() + ":").utf8) + [0]
        let valueBytes = Array(value.utf8)
        return valueBytes.withUnsafeBufferPointer { value in
            lws_add_http_header_by_name(wsi, nameBytes, value.baseAddress, Int32(value.count), cursor, end)
        }
    }
}
