import CloudConnector
import ConnectorCore
import Foundation
import LocalAPI
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

    /// Asks whoever listens whether it is this data directory's service: `/v1/status` accepts only
    /// the token in this data directory (read here, sent there, never shown).
    func ownerOfLocalAPI(address: String, port: Int, loop: WebSocketEventLoop?, details: [(String, JSONValue)]) async -> DoctorFinding {
        guard let loop, let dataDirectory else {
            return .ok("local_api", "\(address) is in use, as expected while the service runs (not asked: no HTTP client).", details)
        }
        let base = "http://\(address)"
        let token: LocalToken
        do {
            token = try LocalToken.load(directory: dataDirectory.path)
        } catch {
            let health = try? await loop.send(HTTPClientRequest(url: base + "/healthz", timeout: .seconds(3)))
            if health?.status == 200 {
                return .ok(
                    "local_api",
                    "Something answers /healthz on \(address), as the running service does; whether it is this data directory's service was not confirmed, because its token cannot be read: \(error)",
                    details)
            }
            return .warning(
                "local_api",
                "\(address) is in use but does not answer /healthz like the connector's local API. Local-Core and agents may be talking to another program. Check with `ss -ltnp 'sport = :\(port)'`.",
                details)
        }
        var headers = HTTPHeaders()
        headers.add(name: "Authorization", value: token.authorizationHeaderValue)
        let response: HTTPClientResponse
        do {
            response = try await loop.send(HTTPClientRequest(url: base + "/v1/status", headers: headers, timeout: .seconds(3)))
        } catch {
            return .warning(
                "local_api",
                "\(address) is in use but the local API there does not answer (\(error)). A stuck service? `cloud-connector status` and the service's log say more.",
                details)
        }
        switch response.status {
        case 200:
            return .ok("local_api", "The running service answers on \(address) (its /v1/status accepts this data directory's token).", details)
        case 401:
            return .warning(
                "local_api",
                "\(address) answers, but refuses this data directory's local token: another connector (with another data directory) holds the port, and this one's local API is elsewhere. Local-Core and agents using \(address) talk to the other one; give each connector its own local_api.port.",
                details)
        default:
            return .warning(
                "local_api",
                "\(address) answers /v1/status with HTTP \(response.status) instead of the connector's status. Check which program listens there.",
                details)
        }
    }
}
