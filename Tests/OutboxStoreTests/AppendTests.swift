import ConnectorCore
import Foundation
@_spi(Faults) @testable import OutboxStore
import Testing

@Suite("Appending to the outbox")
struct AppendTests {
    @Test("appends get increasing seqs, stable ids, and read back byte for byte")
    func appendAndReadBack() async throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        defer { store.close() }
        var generator = traffic()
        var drafts: [MessageDraft] = []
        var appended: [AppendedMessage] = []
        for _ in 0..<50 {
            let draft = generator.next()
            drafts.append(draft)
            appended.append(try await store.append(draft))
        }
        #expect(appended.map(\.seq) == Array(1...50))
        #expect(Set(appended.map(\.id)).count == 50)
        let reader = try store.makeReader()
        for (draft, message) in zip(drafts, appended) {
            let stored = try #require(try reader.message(seq: message.seq))
            #expect(stored.payload == JSON.encode(draft.payload))
            #expect(stored.id == message.id)
            let envelope = try JSON.parse(stored.envelope)
            #expect(envelope["type"]?.stringValue == draft.type.rawValue)
            #expect(envelope["id"]?.stringValue == message.id.description)
            #expect(envelope["seq"]?.numberValue?.int64 == message.seq)
            #expect(envelope["ts"]?.stringValue == RFC3339.format(milliseconds: message.createdAtMS))
            #expect(envelope["payload"] == draft.payload)
        }
        let verify = try reader.verify()
        #expect(verify.isClean, "\(verify.findings)")
    }

    @Test("an invalid payload is refused with the field named, and nothing is written")
    func invalidPayloadRefused() async throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        defer { store.close() }
        var draft = Drafts.event("req-1", "progress")
        draft.payload = ["event_id": "e1", "request_id": "req-1", "event_type": "progress", "data": ["message": "half"], "timestamp": "yesterday"]
        await #expect(throws: OutboxError.self) { try await store.append(draft) }
        do {
            _ = try await store.append(draft)
        } catch let error as OutboxError {
            #expect("\(error)".contains("payload.timestamp"))
        }
        #expect(try store.makeReader().sequenceState().lastSeq == 0)
    }

    @Test("R3: a message over 1 MiB encoded is refused at append time")
    func oversizedRefused() async throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        defer { store.close() }
        let big = String(repeating: "x", count: 1_048_576)
        let draft = Drafts.event("req-1", "completed", data: ["result": .string(big)])
        do {
            _ = try await store.append(draft)
            Issue.record("an oversized append was accepted")
        } catch let error as OutboxError {
            guard case .messageTooLarge = error else { Issue.record("wrong error: \(error)"); return }
        }
        let fits = Drafts.event("req-1", "completed", data: ["result": .string(String(repeating: "x", count: 1_000_000))])
        let appended = try await store.append(fits)
        #expect(appended.seq == 1)
        let frame = try #require(try store.makeReader().message(seq: 1)).envelope
        #expect(frame.count <= Envelope.maxFrameBytes)
    }

    @Test("R12: a usage report for another tenant is refused")
    func foreignTenantRefused() async throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        defer { store.close() }
        await #expect(throws: OutboxError.self) { try await store.append(Drafts.usage("r", tenant: "tenant-b")) }
    }

    @Test("a unit is all or nothing: one bad message fails its unit alone")
    func unitAtomicity() async throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        defer { store.close() }
        async let good = store.append([Drafts.event("a", "accepted", data: ["job_type": "tool"])])
        let badResult = await Result(catching: {
            try await store.append(
                [Drafts.event("b", "accepted", data: ["job_type": "tool"])],
                rows: { db, _ in try db.execute("INSERT INTO no_such_table VALUES (1)") })
        })
        let goodResult = try await good
        #expect(goodResult.count == 1)
        if case .success = badResult { Issue.record("the failing unit committed") }
        let reader = try store.makeReader()
        #expect(try reader.inspect(InspectFilter()).map(\.requestID) == ["a"])
        #expect(try reader.verify().isClean)
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
