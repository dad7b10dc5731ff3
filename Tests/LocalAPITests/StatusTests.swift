import ConnectorCore
import OutboxStore
import Testing

/// GET /v1/status: token required, and the shape "Runtime Environments" reads.
@Suite struct StatusTests {
    @Test func statusNeedsTheToken() async throws {
        try await withAPI { api in
            let missing = try await api.send(.get, "/v1/status", authorization: "")
            let wrong = try await api.send(.get, "/v1/status", authorization: "Bearer nope")
            #expect(missing.status == 401)
            #expect(wrong.status == 401)
        }
    }

    @Test func statusShapeBeforeAndAfterTheLinkReports() async throws {
        try await withAPI { api in
            let before = try await api.send(.get, "/v1/status")
            #expect(before.status == 200)
            let document = try #require(before.json)
            #expect(document["device_id"] == .string(testIdentity.deviceID))
            #expect(document["tenant_id"] == .string(testIdentity.tenantID))
            #expect(document["link"]?["state"] == "never run")
            #expect(document["link"]?["last_error"] == .null)
            #expect(document["outbox"]?["pending"] == 0)
            #expect(document["outbox"]?["last_seq"] == 0)
            #expect(document["outbox"]?["acked_seq"] == 0)
            #expect(document["outbox"]?["oldest_pending_age_ms"] == .null)

            #expect(try await api.post("/v1/usage", Payloads.usage()).status == 201)
            #expect(try await api.post("/v1/events", Payloads.event()).status == 201)
            _ = try await api.store.acknowledge(through: 1)
            try await record(api.store, LinkStatusRecord(
                state: "backing_off", lastError: "the cloud refused the token (401)", connectAttempts: 3, pid: 1,
                startedAtMS: 1_795_000_000_000, updatedAtMS: 1_795_000_001_000))

            let after = try #require(try await api.send(.get, "/v1/status").json)
            #expect(after["link"]?["state"] == "backing_off")
            #expect(after["link"]?["last_error"] == "the cloud refused the token (401)")
            #expect(after["link"]?["reconnects"] == 2)
            #expect(after["outbox"]?["last_seq"] == 2)
            #expect(after["outbox"]?["acked_seq"] == 1)
            #expect(after["outbox"]?["pending"] == 1)
            let age = try #require(after["outbox"]?["oldest_pending_age_ms"]?.numberValue?.int64)
            #expect(age >= 0 && age < 60_000)
        }
    }
}

func record(_ store: OutboxStore, _ status: LinkStatusRecord) async throws {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
        store.recordLinkStatus(status) { continuation.resume(with: $0.mapError { $0 as any Error }) }
    }
}
