import Foundation
import ConnectorCore
import Testing

/// Methods, paths, sizes and the unauthenticated endpoints.
@Suite struct RoutingTests {
    @Test func wrongMethodGets405AndUnknownPathGets404() async throws {
        try await withAPI { api in
            let get = try await api.send(.get, "/v1/usage")
            #expect(get.status == 405)
            #expect(get.headers["Allow"] == "POST")
            #expect(get.string("error") == "method_not_allowed")
            let post = try await api.send(.post, "/v1/status", body: Array("{}".utf8))
            #expect(post.status == 405)
            #expect(post.headers["Allow"] == "GET")
            // Also without a token: the route is checked before the credentials.
            #expect(try await api.send(.delete, "/v1/events", authorization: "").status == 405)

            for path in ["/", "/v1", "/v1/usage/extra", "/v2/usage", "/V1/USAGE"] {
                let response = try await api.send(.get, path, authorization: "")
                #expect(response.status == 404, "\(path)")
                #expect(response.string("error") == "not_found")
            }
        }
    }

    @Test func healthzAnswersWithoutToken() async throws {
        try await withAPI { api in
            let response = try await api.send(.get, "/healthz", authorization: "")
            #expect(response.status == 200)
            #expect(response.bodyText.trimmingCharacters(in: .whitespacesAndNewlines) == "ok")
        }
    }

    @Test func bodyOver1MiBGets413AndWritesNothing() async throws {
        try await withAPI { api in
            let huge = [UInt8](repeating: 0x20, count: (1 << 20) + 1)
            let response = try await api.send(.post, "/v1/events", body: huge)
            #expect(response.status == 413)
            #expect(response.string("error") == "body_too_large")

            // Under the body limit, but over R3's 1 MiB for the whole encoded message: the store's 413.
            let empty = JSON.encode(Payloads.event(eventID: "ev-big", type: "progress", data: ["message": ""])).count
            let text = String(repeating: "x", count: (1 << 20) - empty - 10)
            let nearLimit = Payloads.event(eventID: "ev-big", type: "progress", data: ["message": .string(text)])
            #expect(JSON.encode(nearLimit).count == (1 << 20) - 10)
            let tooLarge = try await api.post("/v1/events", nearLimit)
            #expect(tooLarge.status == 413, "\(tooLarge.bodyText.prefix(300))")
            #expect(tooLarge.string("error") == "message_too_large")
            #expect(try api.lastSeq() == 0)
        }
    }
}
