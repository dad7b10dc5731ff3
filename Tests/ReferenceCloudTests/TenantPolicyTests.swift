import ConnectorCore
import Foundation
import ReferenceCloud
import Testing

/// Tenant rules: `allowedTenants` (who may fetch tokens and upgrade), `deviceTenants` (a device bound
/// to one tenant), refused devices, and `faults.announcedTenant` (a connect_ack naming another tenant,
/// for the device's R12 check).
///
/// Where a refusal happens, and how, per PROTOCOL §3: before the socket it is HTTP (401/403 from
/// `/device-token`, and the same statuses at the upgrade); after `connect` it is an `error` frame with
/// `tenant_mismatch` and close 4403.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct TenantPolicyTests {
    @Test func allowedTenantsGate403AtTheTokenEndpointAndTheUpgrade() async throws {
        let harness = try await Harness.start(allowedTenants: ["tenant-a"])
        let refused = try await harness.tokenResponse(tenant: "tenant-b")
        #expect(refused.status == 403)
        #expect(try JSON.parse(refused.bodyText)["code"] == "forbidden")
        let token = try await harness.token(tenant: "tenant-a")
        #expect(!token.isEmpty)
        // A valid token does not let the socket claim a tenant outside the allowed set.
        #expect(await harness.upgradeRefusal(tenant: "tenant-b", token: token) == 403)
        // Control: the same token with the allowed tenant upgrades and completes the handshake.
        let (peer, ack) = try await harness.connect(tenant: "tenant-a")
        #expect(ack?["tenant_id"] == "tenant-a")
        peer.connection.close()
        await harness.finish()
    }

    @Test func aRefusedDeviceGets403AtTheUpgradeEvenWithAValidToken() async throws {
        let harness = try await Harness.start()
        let token = try await harness.token()
        try await harness.cloud.setFaults(CloudFaults(refusedDevices: [deviceID]))
        #expect(await harness.upgradeRefusal(token: token) == 403)
        // Another device is not affected.
        #expect(await harness.upgradeRefusal(device: "dev-2", token: try await harness.token(device: "dev-2")) == nil)
        try await harness.cloud.setFaults(CloudFaults())
        #expect(await harness.upgradeRefusal(token: token) == nil)
        await harness.finish()
    }

    /// The token endpoint does not know the binding, so a bound device can get a token for another
    /// tenant; `connect` is where the binding is enforced, with `tenant_mismatch` + 4403 (§3.4).
    @Test func aDeviceBoundToATenantIsRefused4403UnderAnother() async throws {
        let harness = try await Harness.start(deviceTenants: [deviceID: "tenant-b"])
        let token = try await harness.token(tenant: "tenant-a")
        let peer = try await harness.open(tenant: "tenant-a", token: token)
        peer.send(Frames.connect(tenant: "tenant-a", token: token))
        let error = await peer.nextFrame()
        #expect(error?.type == "error")
        #expect(error?["payload"]?["code"] == "tenant_mismatch")
        #expect(await peer.closure()?.code?.rawValue == 4403)
        #expect(await !harness.cloud.isConnected(deviceID))

        let (bound, ack) = try await harness.connect(tenant: "tenant-b")
        #expect(ack?["tenant_id"] == "tenant-b")
        // An unbound device keeps the tenant of its token.
        let (other, otherAck) = try await harness.connect(device: "dev-2", tenant: "tenant-a")
        #expect(otherAck?["tenant_id"] == "tenant-a")
        bound.connection.close()
        other.connection.close()
        await harness.finish()
    }

    @Test func announcedTenantReplacesTheTenantInConnectAck() async throws {
        let harness = try await Harness.start(faults: CloudFaults(announcedTenant: "tenant-z"))
        let (peer, ack) = try await harness.connect()
        #expect(ack?["tenant_id"] == "tenant-z")
        peer.connection.close()
        // Switched off through the admin API, the device's own tenant is announced again.
        #expect(try await harness.admin(.post, "/admin/faults", body: "{}").status == 200)
        let (again, normal) = try await harness.connect()
        #expect(normal?["tenant_id"] == .string(tenantID))
        again.connection.close()
        await harness.finish()
    }
}
