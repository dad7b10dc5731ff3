import ConnectorCore
import Foundation
import Testing

@Suite("R12: a store belongs to one device and tenant (real processes)")
struct IdentityMismatchTests {
    @Test("another DEVICE_ID or TENANT_ID is refused with exit 78 and a message naming both", arguments: [
        ["DEVICE_ID": "dev-intruder"], ["TENANT_ID": "tenant-b"], ["DEVICE_ID": "dev-intruder", "TENANT_ID": "tenant-b"],
    ])
    func mismatch(environment: [String: String]) throws {
        let fixture = Fixture()
        try fixture.append("execution_event", Payloads.accepted("req-1", event: "ev-1", at: "2026-11-24T10:00:00Z"))
        for command in [["outbox", "stats"], ["outbox", "inspect"], ["timeline", "req-1"],
                        ["outbox", "append", "--type", "execution_event", "--payload", Payloads.started("req-1", event: "ev-2", at: "2026-11-24T10:00:01Z")]] {
            let result = try fixture.run(command, environment: environment)
            #expect(result.status == 78, "\(command): \(result)")
            #expect(result.stderr.contains("belongs to device \(Fixture.deviceID) in tenant \(Fixture.tenantID)"))
            #expect(result.stderr.contains("R12"))
            #expect(result.stdout.isEmpty)
        }
        #expect(try fixture.json("outbox", "stats")["last_seq"]?.int == 1, "nothing was appended as the other identity")
    }

    @Test("a store created with DEVICE_ID cannot be read without it: exit 78, no device_id file made")
    func storeFromEnvironmentNeedsIt() throws {
        let fixture = Fixture()
        try fixture.append("execution_event", Payloads.accepted("req-1", event: "ev-1", at: "2026-11-24T10:00:00Z"))
        let result = try fixture.run("outbox", "stats", environment: ["DEVICE_ID": ""])
        #expect(result.status == 78, "\(result)")
        #expect(result.stderr.contains("DEVICE_ID"))
        #expect(!FileManager.default.fileExists(atPath: fixture.dataDir + "/device_id"))
    }

    @Test("with the id from <data>/device_id, every command finds its own store")
    func fileIdentityRoundTrip() throws {
        var fixture = Fixture()
        fixture.environment = [:]
        let device = try fixture.json("device")
        let id = try #require(device["device_id"]?.stringValue)
        let appended = try fixture.run("outbox", "append", "--type", "execution_event", "--payload",
                                       Payloads.accepted("req-1", event: "ev-1", at: "2026-11-24T10:00:00Z"))
        #expect(appended.status == 0, "\(appended)")
        #expect(try fixture.json("device")["store"]?["present"]?.boolValue == true)
        #expect(try fixture.run("outbox", "stats").status == 0)
        let export = try fixture.run("outbox", "stats", environment: ["DEVICE_ID": id])
        #expect(export.status == 0, "the same id given explicitly is the same device")
    }
}
