internal import CWebSockets
import Foundation

extension LoopCore {
    func startServer(_ start: ServerStart) {
        let configuration = start.configuration
        let server = ServerState(id: makeID(), configuration: configuration, sink: start.connections)
        let fail = { (error: TransportError) in
            start.connections.finish()
            start.completion.resume(returning: .failure(error))
        }
        var info = lws_context_creation_info()
        if let tls = configuration.tls {
            guard let certificate = tls.certificateFile, let key = tls.privateKeyFile else {
                return fail(.tlsConfiguration("a TLS server needs certificateFile and privateKeyFile"))
            }
            for file in [certificate, key] where !FileManager.default.isReadableFile(atPath: file) {
                return fail(.tlsConfiguration("\(file) is not readable"))
            }
            info.ssl_cert_filepath = server.cStrings.make(certificate)
            info.ssl_private_key_filepath = server.cStrings.make(key)
        }
        info.port = Int32(configuration.port)
        // lws binds every interface when given no iface; it would look "0.0.0.0" up as a name.
        let anyAddress = ["", "0.0.0.0", "::"].contains(configuration.host)
        info.iface = anyAddress ? nil : server.cStrings.make(configuration.host)
        info.protocols = UnsafePointer(protocols.server)
        info.vhost_name = server.cStrings.make("server-\(server.id)")
        let ipv4 = configuration.host.contains(".") && !configuration.host.contains(":")
        info.options = cws_server_vhost_options(configuration.tls == nil ? 0 : 1, ipv4 ? 1 : 0)
        // HTTP/2 would change how upgrades and responses flow; this server speaks HTTP/1.1 only.
        info.alpn = server.cStrings.make("http/1.1")
        info.user = Unmanaged.passUnretained(server).toOpaque()
        info.gid = -1
        info.uid = -1
        if configuration.port != 0, let failure = PortProbe.bindFailure(host: configuration.host, port: configuration.port) {
            return fail(.listenFailed(endpoint: server.endpoint, reason: failure))
        }
        guard let vhost = lws_create_vhost(context, &info) else {
            return fail(.listenFailed(
                endpoint: server.endpoint,
                reason: "cannot bind or set up the listener (address in use, unknown address or bad TLS files)"))
        }
        server.vhost = vhost
        servers[server.id] = server
        let port = Int(lws_get_vhost_listen_port(vhost))
        server.endpoint = ServerState.endpoint(configuration, port: port)
        logger.debug("listening", metadata: ["host": "\(configuration.host)", "port": "\(port)"])
        start.completion.resume(returning: .success(ServerStarted(id: server.id, port: port)))
    }

    func server(of wsi: OpaquePointer) -> ServerState? {
        guard let vhost = lws_get_vhost(wsi), let raw = lws_vhost_user(vhost) else { return nil }
        return Unmanaged<ServerState>.fromOpaque(raw).takeUnretainedValue()
    }

    /// Admission of an upgrade: right path, then the application's filter. Refusals answer with
    /// an HTTP status instead of upgrading.
    func confirmUpgrade(_ wsi: OpaquePointer) -> Int32 {
        guard let server = server(of: wsi), !server.stopping else { return -1 }
        let head = HeaderReader.requestHead(wsi, extraNames: server.configuration.extraHeaderNames)
        var status: Int?
        if server.configuration.webSocketPath != head.path {
            status = 404
        } else if case .reject(let refusal) = server.configuration.upgradeFilter?(head) ?? .accept {
            status = refusal
        }
        if let status {
            logger.info("refused WebSocket upgrade", metadata: ["path": "\(head.path)", "status": "\(status)"])
            _ = lws_return_http_status(wsi, UInt32(status), nil)
            return 1
        }
        bind(wsi, PendingUpgrade(head: head))
        return 0
    }

    func serverEstablished(_ wsi: OpaquePointer, upgrade: PendingUpgrade?) -> Int32 {
        guard let server = server(of: wsi), !server.stopping else { return -1 }
        let configuration = server.configuration
        let head = upgrade?.head ?? HeaderReader.requestHead(wsi, extraNames: configuration.extraHeaderNames)
        let connection = WebSocketConnection(
            core: self, endpoint: server.endpoint + head.path, request: head, clientSetup: nil,
            maxMessageBytes: configuration.maxMessageBytes, limits: configuration.sendQueueLimits)
        connection.io.wsi = wsi
        bind(wsi, connection)
        connections[ObjectIdentifier(connection)] = connection
        connection.markOpen()
        server.sink.yield(connection)
        return 0
    }
}
