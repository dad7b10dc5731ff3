import ConnectorCore
import OutboxStore
import Testing

/// POST /v1/usage: the acceptance cases, against a real store over real HTTP.
@Suite struct UsageAppendTests {
    @Test func missingOrWrongTokenGets401AndWritesNothing() async throws {
        try await withAPI { api in
            for authorization in ["", "Bearer wrong", "Bearer " + String(repeating: "0", count: 64), "Basic abc"] {
                let response = try await api.post("/v1/usage", Payloads.usage(), authorization: authorization)
                #expect(response.status == 401, "\(authorization)")
                #expect(response.string("error") == "unauthorized")
                #expect(response.headers["WWW-Authenticate"]?.hasPrefix("Bearer") == true)
            }
            #expect(try api.lastSeq() == 0)
        }
    }

    @Test func badJSONGets400AndWritesNothing() async throws {
        try await withAPI { api in
            for body in ["{\"report_id\": ", "not json", "", "{\"a\":1} trailing"] {
                let response = try await api.send(.post, "/v1/usage", body: Array(body.utf8))
                #expect(response.status == 400, "\(body)")
                #expect(response.string("error") == "invalid_json")
                #expect(response.string("message")?.contains("invalid JSON at byte") == true, "\(response.bodyText)")
            }
            #expect(try api.lastSeq() == 0)
        }
    }

    @Test func invalidPayloadGets400NamingTheField() async throws {
        try await withAPI { api in
            let noDuration = Payloads.with(
                Payloads.usage(), "metrics", ["duration_ms": "slow", "model": "m"])
            let response = try await api.post("/v1/usage", noDuration)
            #expect(response.status == 400)
            #expect(response.string("error") == "invalid_payload")
            #expect(response.string("field") == "payload.metrics.duration_ms", "\(response.bodyText)")
            #expect(response.string("message")?.contains("payload.metrics.duration_ms") == true)

            let missingReport = try await api.post("/v1/usage", Payloads.with(Payloads.usage(), "report_id", nil))
            #expect(missingReport.status == 400)
            #expect(missingReport.string("field") == "payload.report_id", "\(missingReport.bodyText)")

            let notAnObject = try await api.send(.post, "/v1/usage", body: Array("[1,2]".utf8))
            #expect(notAnObject.status == 400)
            #expect(notAnObject.string("error") == "invalid_payload")

            let otherTenant = try await api.post("/v1/usage", Payloads.with(Payloads.usage(), "tenant_id", "tenant-b"))
            #expect(otherTenant.status == 400)
            #expect(otherTenant.string("error") == "tenant_mismatch")
            #expect(try api.lastSeq() == 0)
        }
    }

    @Test func goodReportIsInTheOutboxWhenThe201Arrives() async throws {
        try await withAPI { api in
            let payload = Payloads.usage(reportID: "rep-201")
            let response = try await api.post("/v1/usage", payload)
            #expect(response.status == 201, "\(response.bodyText)")
            #expect(response.headers["content-type"] == "application/json")
            let seq = try #require(response.int("seq"))
            #expect(response.string("type") == "usage_report")
            #expect(response.json?["duplicate"] == nil)
            // Read back through a reader of our own, right after the answer: the append was committed
            // before the 201 was sent.
            let stored = try #require(try api.stored(seq: seq))
            #expect(stored.type == .usageReport)
            #expect(stored.id.description == response.string("id"))
            #expect(stored.payload == JSON.encode(payload))
            #expect(try api.lastSeq() == seq)
        }
    }

    @Test func retryGets200DuplicateAndIsNotStoredTwice() async throws {
        try await withAPI { api in
            let payload = Payloads.usage(reportID: "rep-retry")
            let first = try await api.post("/v1/usage", payload)
            #expect(first.status == 201)
            let retry = try await api.post("/v1/usage", payload)
            #expect(retry.status == 200, "\(retry.bodyText)")
            #expect(retry.json?["duplicate"] == true)
            #expect(retry.int("seq") == first.int("seq"))
            #expect(retry.string("id") == first.string("id"))
            #expect(try api.count(.usageReport) == 1)
            #expect(try api.lastSeq() == first.int("seq"))
        }
    }

    @Test func sameReportIDWithOtherContentGets409() async throws {
        try await withAPI { api in
            let first = try await api.post("/v1/usage", Payloads.usage(reportID: "rep-x", tokens: 100))
            #expect(first.status == 201)
            let conflict = try await api.post("/v1/usage", Payloads.usage(reportID: "rep-x", tokens: 999))
            #expect(conflict.status == 409, "\(conflict.bodyText)")
            #expect(conflict.string("error") == "duplicate_conflict")
            #expect(conflict.int("existing_seq") == first.int("seq"))
            #expect(try api.count(.usageReport) == 1)
        }
    }

    @Test func fullOutboxGets503WithRetryAfter() async throws {
        try await withAPI(configure: { $0.maxOutboxBytes = 64 }) { api in
            let response = try await api.post("/v1/usage", Payloads.usage())
            #expect(response.status == 503, "\(response.bodyText)")
            #expect(response.string("error") == "outbox_full")
            #expect(response.headers["Retry-After"] == "30")
            #expect(try api.lastSeq() == 0)
        }
    }
}
