internal import ConnectorCore
import WebSocketTransport

/// PROTOCOL §3: the device token, `connect_ack`, and the three refusals.
enum HandshakeChecks {
    static let all = [token, connectAck, unauthorized, protocolUnsupported, tenantMismatch]

    static let token = ConformanceCheck(
        "handshake.token", rule: "§3.1",
        "GET {api}/device-token with X-Device-Id and X-Tenant-Id (and the API key) answers 200 {token, expires_in?}"
    ) { (probe: CheckProbe) async throws(CheckStop) -> String in
        let response = try await probe.requestToken()
        switch TokenReview.judge(status: response.status, body: response.body) {
        case .token(_, let expiresIn):
            return "200 with a token, " + (expiresIn.map { "expires_in \($0)" } ?? "no expires_in")
        case .refused(let status):
            throw .fail(
                "GET \(probe.displayTokenURL) answered HTTP \(status) for device \(probe.deviceID) in tenant \(probe.tenantID); expected 200 with a token. If the cloud needs an API key or a known tenant, give --api-key (or CLOUD_API_KEY) and --tenant-id (§3.1)")
        case .invalid(let why):
            throw .fail("GET \(probe.displayTokenURL) \(why) (§3.1)")
        }
    }

    static let connectAck = ConformanceCheck(
        "handshake.connect-ack", rule: "§3.4",
        "connect from a new device is answered with a connect_ack the connector accepts: session_id, acked_seq 0, positive heartbeat_interval_ms and max_inflight when present, no other tenant"
    ) { (probe: CheckProbe) async throws(CheckStop) -> String in
        let ack = try await probe.session().connectAck
        guard ack.ackedSeq == 0 else {
            throw .fail("connect from a new device (resume.last_seq 0) got connect_ack acked_seq \(ack.ackedSeq); a cloud that holds nothing from the device says 0 (§3.4)")
        }
        if let tenant = ack.tenantID, tenant != probe.tenantID {
            throw .fail("connect for tenant \(probe.tenantID) got a connect_ack naming tenant \(tenant); the device closes with 4403 on that (§3.4)")
        }
        return "session \(ack.sessionID), acked_seq 0, heartbeat every \(TimeText.format(ack.heartbeatInterval)), max_inflight \(ack.maxInflight)"
    }

    static let unauthorized = ConformanceCheck(
        "handshake.unauthorized", rule: "§3.4",
        "a token the cloud never issued is refused: HTTP 401 at the upgrade, or error unauthorized then close 4401"
    ) { (probe: CheckProbe) async throws(CheckStop) -> String in
        let forged = "conformance-never-issued-" + DeviceFrames.newID()
        switch await probe.open(token: forged) {
        case .failure(.upgradeRefused(_, 401)):
            return "a token the cloud never issued: HTTP 401 at the upgrade"
        case .failure(.upgradeRefused(_, let status)):
            let why = status == 403 ? " (403 tells a device it is not allowed at all, and it backs off for minutes instead of fetching a new token)" : ""
            throw .fail("opened the WebSocket with a token the cloud never issued; the upgrade was refused with HTTP \(status)\(why); expected HTTP 401 there, or error unauthorized then close 4401 after connect (§3.4)")
        case .failure(let error):
            throw .fail("opening the WebSocket with a token the cloud never issued failed without an HTTP refusal: \(error); expected HTTP 401, or error unauthorized then close 4401 after connect (§3.4)")
        case .success(let socket):
            try socket.send(DeviceFrames.connect(deviceID: probe.deviceID, tenantID: probe.tenantID, token: forged), what: "connect")
            let expected = RefusalReview.Expected(code: "unauthorized", close: 4401, provocation: "connect with a token the cloud never issued")
            return try RefusalReview.judge(expected, await probe.refusal(on: socket)).passOrThrow()
        }
    }

    static let protocolUnsupported = ConformanceCheck(
        "handshake.protocol-unsupported", rule: "§3.4",
        "connect with protocol 2 is refused: error protocol_unsupported then close 4400"
    ) { (probe: CheckProbe) async throws(CheckStop) -> String in
        let token = try await probe.token()
        let socket = try await probe.openOrFail(token: token)
        try socket.send(
            DeviceFrames.connect(deviceID: probe.deviceID, tenantID: probe.tenantID, token: token, protocolVersion: 2), what: "connect")
        let expected = RefusalReview.Expected(code: "protocol_unsupported", close: 4400, provocation: "connect with protocol 2")
        return try RefusalReview.judge(expected, await probe.refusal(on: socket)).passOrThrow()
    }

    /// The token and the upgrade headers name the device's tenant; only `connect` names another.
    /// The token is valid, so `unauthorized` would be the wrong answer: a device fetches a new
    /// token after it and tries again at once, where `tenant_mismatch` makes it back off.
    static let tenantMismatch = ConformanceCheck(
        "handshake.tenant-mismatch", rule: "§3.4",
        "connect naming another tenant than X-Tenant-Id and the token's is refused: error tenant_mismatch then close 4403"
    ) { (probe: CheckProbe) async throws(CheckStop) -> String in
        let token = try await probe.token()
        let socket = try await probe.openOrFail(token: token)
        let other = probe.tenantID + "-conformance-other"
        try socket.send(DeviceFrames.connect(deviceID: probe.deviceID, tenantID: other, token: token), what: "connect")
        let expected = RefusalReview.Expected(
            code: "tenant_mismatch", close: 4403,
            provocation: "connect with tenant_id \(other) (X-Tenant-Id and the token: \(probe.tenantID))")
        return try RefusalReview.judge(expected, await probe.refusal(on: socket)).passOrThrow()
    }
}
