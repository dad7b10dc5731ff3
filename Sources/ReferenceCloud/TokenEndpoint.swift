import Foundation
import Logging
internal import ConnectorCore
import WebSocketTransport

/// `GET /device-token` (PROTOCOL §3.1) and the upgrade check that goes with it.
extension CloudContext {
    func issueToken(_ head: HTTPRequestHead) async -> HTTPServerResponse {
        let device = head.headers["X-Device-Id"] ?? ""
        let tenant = head.headers["X-Tenant-Id"] ?? ""
        var log = logger
        log[metadataKey: "device_id"] = .string(device)
        log[metadataKey: "tenant_id"] = .string(tenant)
        let faults = self.faults
        let keys = configuration.apiKeys
        // Only whether a key matched is logged, never the key.
        if faults.refuseTokens || (!keys.isEmpty && !keys.contains(bearer(head.headers) ?? "")) {
            log.notice("token refused: bad or missing API key", metadata: ["fault": .stringConvertible(faults.refuseTokens)])
            return json(401, ["code": "unauthorized", "message": "bad or missing API key"])
        }
        if device.isEmpty || tenant.isEmpty {
            return json(400, ["code": "bad_request", "message": "X-Device-Id and X-Tenant-Id are required"])
        }
        if isRefused(device: device, tenant: tenant) {
            log.notice("token refused: device not allowed")
            return json(403, ["code": "forbidden", "message": "device not allowed"])
        }
        let lifetime = configuration.tokenLifetime
        let issued = IssuedToken(
            token: TokenRegistry.makeToken(), deviceID: device, tenantID: tenant,
            expiresMS: nowMilliseconds() + lifetime.milliseconds)
        do {
            try await store.saveToken(issued)
        } catch {
            log.error("cannot persist token", metadata: ["error": .string("\(error)")])
            return json(500, ["code": "internal", "message": "storage failure"])
        }
        tokens.insert(issued)
        log.info("device token issued", metadata: ["expires_in": .stringConvertible(lifetime.milliseconds / 1000)])
        return json(200, ["token": .string(issued.token), "expires_in": .number(JSONNumber(lifetime.milliseconds / 1000))])
    }

    func isRefused(device: String, tenant: String) -> Bool {
        let allowed = configuration.allowedTenants
        return faults.refusedDevices.contains(device) || (!allowed.isEmpty && !allowed.contains(tenant))
    }

    /// Before the upgrade: 403 for a refused device, 401 for a missing, unknown or expired token.
    /// A 401 here means "fetch a new token"; a token that is valid for the headers but wrong in the
    /// `connect` frame gets `error` unauthorized + 4401 instead (see DeviceSession).
    func upgradeDecision(_ head: HTTPRequestHead) -> WebSocketUpgradeDecision {
        let device = head.headers["X-Device-Id"] ?? ""
        let tenant = head.headers["X-Tenant-Id"] ?? ""
        if isRefused(device: device, tenant: tenant) { return .reject(status: 403) }
        guard let token = bearer(head.headers),
            tokens.valid(token, deviceID: device, nowMS: nowMilliseconds()) != nil
        else {
            logger.notice("upgrade refused: invalid token", metadata: ["device_id": .string(device)])
            return .reject(status: 401)
        }
        return .accept
    }

    func bearer(_ headers: HTTPHeaders) -> String? {
        guard let value = headers["Authorization"], value.lowercased().hasPrefix("bearer ") else { return nil }
        return String(value.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
    }

    func json(_ status: Int, _ body: JSONValue) -> HTTPServerResponse {
        HTTPServerResponse(status: status, contentType: "application/json", body: CloudFrames.text(body))
    }
}
