import CloudConnector
import ConnectorCore
import Foundation
import WebSocketTransport

/// The local API's address from config.json: free for `run`, or held by the service running here.
extension Doctor {
    mutating func checkLocalAPI(loop: WebSocketEventLoop?) async {
        guard let configFile else {
            add(.skipped("local_api", "Not checked: config.json cannot be read (see config_file)."))
            return
        }
        let host = configFile.localAPIHost
        let port = configFile.localAPIPort
        let address = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        let details: [(String, JSONValue)] = [("address", .string(address))]
        guard port != 0 else {
            add(.ok("local_api", "config.json sets local_api.port 0: `run` picks a free port at each start (it logs which).", details))
            return
        }
        switch LocalPortProbe.probe(host: host, port: port) {
        case .unusable(let reason):
            add(.problem(
                "local_api",
                "The local API cannot listen on \(address): \(reason). `run` would stop at start (exit 69). Set local_api.host and local_api.port in config.json to an address of this machine (ports below 1024 need privileges).",
                details))
        case .free where serviceRunning:
            add(.warning(
                "local_api",
                "The service runs, but nothing listens on \(address): it must have started with another local_api setting (config.json is read only at start). Local-Core and agents that use \(address) cannot reach it; restart the service to apply config.json.",
                details))
        case .free:
            add(.ok("local_api", "\(address) is free: `run` can listen there.", details))
        case .inUse where !serviceRunning:
            add(.problem(
                "local_api",
                "\(address) is taken by another program, and no service runs on this data directory: `run` would stop at start because its local API cannot listen (exit 69). Stop that program (`ss -ltnp 'sport = :\(port)'` names it), or set local_api.port in config.json.",
                details))
        case .inUse:
            add(await ownerOfLocalAPI(address: address, port: port, loop: loop, details: details))
        }
    }

    /// Whether the port's listener is this data directory's service, from /proc: the socket's inode
    /// among the service's descriptors. Never by sending the local token to whoever listens — that
    /// might be another program. Without /proc access (another user's service), an unauthenticated
    /// /healthz says at least whether a connector seems to answer.
    func ownerOfLocalAPI(address: String, port: Int, loop: WebSocketEventLoop?, details: [(String, JSONValue)]) async -> DoctorFinding {
        let inodes = ListeningSocketOwner.listeningInodes(port: port)
        if let servicePID, !inodes.isEmpty, let holds = ListeningSocketOwner.process(servicePID, holdsAnyOf: inodes) {
            if holds {
                return .ok("local_api", "The running service (pid \(servicePID)) listens on \(address).", details)
            }
            return .warning(
                "local_api",
                "\(address) is held by another program, not by the running service (pid \(servicePID)): it must have started with another local_api setting, or another connector holds the port. Local-Core and agents using \(address) talk to that program; `ss -ltnp 'sport = :\(port)'` names it. Give each connector its own local_api.port and restart the service.",
                details)
        }
        guard let loop else {
            return .ok("local_api", "\(address) is in use, as expected while the service runs (its owner could not be read from /proc).", details)
        }
        let health = try? await loop.send(HTTPClientRequest(url: "http://\(address)/healthz", timeout: .seconds(3)))
        if health?.status == 200 {
            return .ok(
                "local_api",
                "Something answers /healthz on \(address), as the running service does; whether it is this data directory's service could not be read from /proc (run doctor as the service's user or root to know).",
                details)
        }
        return .warning(
            "local_api",
            "\(address) is in use but does not answer /healthz like the connector's local API. Local-Core and agents may be talking to another program. Check with `ss -ltnp 'sport = :\(port)'`.",
            details)
    }
}
