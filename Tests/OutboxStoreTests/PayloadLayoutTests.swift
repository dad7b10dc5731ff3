import ConnectorCore
@testable import OutboxStore
import Testing

@Suite("Payload layout: fields held by typed columns are stored once, and come back byte for byte")
struct PayloadLayoutTests {
    @Test("3,000 generated messages read back exactly as appended, and most were stripped")
    func generatedTrafficRoundTrips() async throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        defer { store.close() }
        var generator = traffic(seed: 77)
        var drafts: [MessageDraft] = []
        while drafts.count < 3_000 { drafts += generator.execution() }
        var appended: [AppendedMessage] = []
        for chunk in stride(from: 0, to: drafts.count, by: 50) {
            appended += try await store.append(Array(drafts[chunk..<min(chunk + 50, drafts.count)]))
        }
        let reader = try store.makeReader()
        var cursor: Int64 = 0
        var index = 0
        while true {
            let page = try reader.pendingPage(after: cursor, limit: 500)
            guard let last = page.last else { break }
            for message in page {
                #expect(message.payload == JSON.encode(drafts[index].payload), "seq \(message.seq)")
                index += 1
            }
            cursor = last.seq
        }
        #expect(index == drafts.count)
        let stripped = try reader.db.int64("SELECT count(*) FROM outbox WHERE layout <> 0")
        #expect(stripped == Int64(drafts.count - drafts.filter { $0.type == .messagingReply }.count)
                || stripped >= Int64(drafts.count * 9 / 10))
    }

    @Test("fields that would not come back identical are kept in the payload")
    func edgeCasesKeptWhole() async throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        defer { store.close() }
        var drafts: [MessageDraft] = []
        // A timestamp with an offset: RFC3339.format would write it in UTC, so it stays in the payload.
        drafts.append(Drafts.event("req-a", "accepted", data: ["job_type": "tool"], at: "2026-11-24T12:00:00+02:00"))
        // Six fraction digits: same instant, other text.
        drafts.append(Drafts.event("req-a", "started", at: "2026-11-24T10:00:00.123456Z"))
        // Fields late in a wide object (beyond position 14) and keys in an unusual order.
        var wide = JSONObject()
        for index in 0..<16 { wide["extra_\(index)"] = .number(JSONNumber(Int64(index))) }
        wide["timestamp"] = "2026-11-24T10:00:01.000Z"
        wide["data"] = ["message": "late fields", "progress": .number(JSONNumber(literal: "0.5")!)]
        wide["event_type"] = "progress"
        wide["request_id"] = "req-a"
        wide["event_id"] = "ev-wide"
        drafts.append(MessageDraft(type: .executionEvent, payload: .object(wide)))
        // Unicode and escapes in the fields that are stripped.
        drafts.append(Drafts.event("req-ü \"quoted\" \\ tab\t", "accepted", eventID: "ev-ü", data: ["job_type": "chain"]))
        let appended = try await store.append(drafts)
        let reader = try store.makeReader()
        for (draft, message) in zip(drafts, appended) {
            #expect(try reader.message(seq: message.seq)?.payload == JSON.encode(draft.payload))
        }
        #expect(try reader.verify().isClean)
    }

    @Test("a layout that names positions the stored JSON cannot hold is reported, not trusted")
    func corruptLayoutIsAnError() throws {
        let layout = PayloadLayout(layout: 0xF)  // request_id at position 14 of an empty object
        let columns = PayloadLayout.Columns(requestID: "r", naturalKey: nil, eventAtMS: 0, eventType: nil)
        #expect(throws: OutboxError.self) { try layout.restore(Array("{}".utf8), type: .messagingReply, columns: columns) }
    }
}
