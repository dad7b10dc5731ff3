internal import ConnectorCore
import WebSocketTransport

/// Plain HTTP on the cloud's port: the token endpoint and an admin API so shell scripts can drive
/// the cloud. Admin routes are unauthenticated: the cloud is a test peer bound to loopback.
///
///   GET  /device-token                      PROTOCOL §3.1
///   GET  /healthz                           200 "ok"
///   GET  /admin/devices/{id}/counts         counts, acked_seq, usage totals, connected
///   GET  /admin/devices/{id}/messages       stored messages in seq order
///   POST /admin/devices/{id}/send           body: a frame {"type", "payload"}; id/ts added
///   POST /admin/devices/{id}/malformed      body: ["invalid_json", ...] (empty body = all kinds, else 400)
///   POST /admin/devices/{id}/wipe           forget the device (acked_seq 0)
///   GET  /admin/faults, POST /admin/faults  read / replace the fault modes (JSON, see FaultsJSON;
///                                           an unknown key or a mistyped value is a 400)
extension CloudContext {
    func handle(_ request: HTTPServerRequest) async -> HTTPServerResponse {
        let head = request.head
        let parts = head.path.split(separator: "/").map(String.init)
        switch (head.method, parts) {
        case (.get, ["device-token"]): return await issueToken(head)
        case (.get, ["healthz"]): return HTTPServerResponse(status: 200, contentType: "text/plain", body: "ok\n")
        case (.get, ["admin", "faults"]): return json(200, FaultsJSON.encode(faults))
        case (.post, ["admin", "faults"]):
            guard let body = try? JSON.parse(request.body) else {
                return json(400, ["code": "bad_request", "message": "body is not JSON: expected a faults object"])
            }
            let parsed: CloudFaults
            do { parsed = try FaultsJSON.decode(body) } catch {
                return json(400, ["code": "bad_request", "message": .string(error.message)])
            }
            faults = parsed
            logger.notice("fault modes changed", metadata: ["faults": .string(CloudFrames.text(FaultsJSON.encode(parsed)))])
            return json(200, FaultsJSON.encode(parsed))
        case (_, let path) where path.count == 4 && path[0] == "admin" && path[1] == "devices":
            return await device(path[2], action: path[3], method: head.method, body: request.body)
        default:
            return json(404, ["code": "not_found", "message": .string("no route \(head.method) \(head.path)")])
        }
    }

    private func device(_ id: String, action: String, method: HTTPMethod, body: [UInt8]) async -> HTTPServerResponse {
        do throws(ReferenceCloudError) {
            switch (method, action) {
            case (.get, "counts"):
                let counts = try await counts(deviceID: id)
                let usage = try await usage(deviceID: id)
                return json(200, [
                    "device_id": .string(id), "messages": int(counts.messages), "duplicates": int(counts.duplicates),
                    "highest_seq": .number(JSONNumber(counts.highestSeq)), "acked_seq": .number(JSONNumber(counts.ackedSeq)),
                    "by_type": .object(JSONObject(counts.byType.sorted { $0.key < $1.key }.map { ($0.key, int($0.value)) })),
                    "usage": [
                        "reports": int(usage.reports), "prompt_tokens": .number(JSONNumber(usage.promptTokens)),
                        "completion_tokens": .number(JSONNumber(usage.completionTokens)),
                        "total_tokens": .number(JSONNumber(usage.totalTokens)),
                        "cost_micros": .number(JSONNumber(usage.costMicros)),
                    ],
                    "connected": .bool(session(for: id) != nil),
                ])
            case (.get, "messages"):
                let rows = try await messages(deviceID: id).map { message -> JSONValue in
                    [
                        "seq": .number(JSONNumber(message.seq)), "id": .string(message.id), "type": .string(message.type),
                        "payload": (try? JSON.parse(message.payload)) ?? .null,
                    ]
                }
                return json(200, .array(rows))
            case (.post, "send"):
                guard let frame = try? JSON.parse(body) else { throw .invalidFrame("body is not JSON") }
                try await send(frame, to: id)
                return json(200, ["sent": true])
            case (.post, "malformed"):
                // A body that is not JSON, or names an unknown kind, used to be read as "every kind"
                // (bad JSON) or silently skipped (unknown name) with a 200: a test then exercised other
                // frames than it asked for. Now both are a 400 that lists the kinds.
                let kinds: [MalformedFrame]
                if body.isEmpty {
                    kinds = MalformedFrame.allCases
                } else {
                    let names = (try? JSON.parse(body))?.arrayValue?.map(\.stringValue) ?? [nil]
                    let parsed = names.compactMap { $0.flatMap(MalformedFrame.init(rawValue:)) }
                    guard parsed.count == names.count else {
                        let known = MalformedFrame.allCases.map(\.rawValue).joined(separator: ", ")
                        return json(400, ["code": "bad_request", "message": .string("expected a JSON array of kinds from: \(known)")])
                    }
                    kinds = parsed
                }
                try await sendMalformed(kinds, to: id)
                return json(200, ["sent": int(kinds.count)])
            case (.post, "wipe"):
                try await wipe(deviceID: id)
                return json(200, ["wiped": true])
            default:
                return json(404, ["code": "not_found", "message": .string("no device action \(method) \(action)")])
            }
        } catch .deviceNotConnected(let device) {
            return json(409, ["code": "not_connected", "message": .string("device \(device) is not connected")])
        } catch {
            return json(400, ["code": "bad_request", "message": .string(error.description)])
        }
    }

    private func int(_ value: Int) -> JSONValue { .number(JSONNumber(Int64(value))) }
}
