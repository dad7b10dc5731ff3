import ConnectorCore
@testable import OutboxStore
import SQLiteDB
import Testing

@Suite("Message ids and compact keys")
struct MessageIdentityTests {
    @Test("derived ids are valid v4 UUIDs, stable, and distinct for every seq")
    func derivedIDs() {
        let scheme = MessageIDScheme(salt: MessageIDScheme.randomSalt())
        var seen = Set<MessageID>()
        for seq in Int64(1)...200_000 {
            let id = scheme.id(forSeq: seq)
            #expect(seen.insert(id).inserted, "seq \(seq) repeats an id")
            if seq % 20_000 == 0 {
                #expect(id.bytes[6] >> 4 == 4 && id.bytes[8] >> 6 == 2)
                #expect(MessageID(string: id.description) == id)
                #expect(scheme.id(forSeq: seq) == id)
            }
        }
        // Another store (another salt) gives other ids for the same seqs.
        let other = MessageIDScheme(salt: MessageIDScheme.randomSalt())
        #expect(other.id(forSeq: 1) != scheme.id(forSeq: 1))
    }

    @Test("a derived id gives its seq back; another store's id or a random one gives none")
    func derivedIDsInvert() {
        let scheme = MessageIDScheme(salt: MessageIDScheme.randomSalt())
        let other = MessageIDScheme(salt: MessageIDScheme.randomSalt())
        var generator = SystemRandomNumberGenerator()
        let seqs = Array(Int64(1)...5_000) + (0..<5_000).map { _ in Int64.random(in: 1...(Int64(1) << 61), using: &generator) }
        for seq in seqs {
            #expect(scheme.seq(forDerived: scheme.id(forSeq: seq)) == seq)
            #expect(scheme.seq(forDerived: other.id(forSeq: seq)) == nil)
        }
        #expect(scheme.seq(forDerived: MessageID.random()) == nil)
        for value in (0..<1_000).map({ _ in generator.next() & MessageIDScheme.mask62 }) {
            #expect(MessageIDScheme.unpermute62(MessageIDScheme.permute62(value)) == value)
        }
    }

    @Test("the 62-bit permutation maps distinct values to distinct 62-bit values (random and adjacent inputs)")
    func permutationIsInjectiveOnSamples() {
        var generator = SystemRandomNumberGenerator()
        var inputs = Set<UInt64>((0..<50_000).map { $0 })  // adjacent seqs, the common case
        while inputs.count < 150_000 { inputs.insert(generator.next() & MessageIDScheme.mask62) }
        let images = Set(inputs.map(MessageIDScheme.permute62))
        #expect(images.count == inputs.count)
        #expect(images.allSatisfy { $0 <= MessageIDScheme.mask62 })
    }

    @Test("an id survives reopen, and a salvaged explicit id is kept")
    func idsSurviveReopen() async throws {
        let directory = TemporaryDirectory()
        var store = try openStore(directory)
        let first = try await store.append(Drafts.event("req-1", "accepted", data: ["job_type": "tool"]))
        let foreign = MessageID.random()
        var draft = Drafts.event("req-1", "started")
        draft.id = foreign
        let second = try await store.append(draft)
        #expect(second.id == foreign)
        store.close()
        store = try openStore(directory)
        defer { store.close() }
        let reader = try store.makeReader()
        #expect(try reader.message(seq: first.seq)?.id == first.id)
        #expect(try reader.message(seq: second.seq)?.id == foreign)
        #expect(try reader.verify().isClean)
    }

    @Test("an id the store holds is idempotent: the same content is a duplicate, other content a conflict; so is an id it derived itself")
    func explicitIDs() async throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        defer { store.close() }
        var reply = Drafts.reply("req-1")
        reply.id = MessageID.random()
        let first = try await store.append(reply)
        let again = try await store.append(reply)
        #expect(!first.duplicate && again.duplicate && again.seq == first.seq && again.id == first.id)
        var other = Drafts.reply("req-2")
        other.id = reply.id
        await #expect(throws: OutboxError.self) { try await store.append(other) }
        // A message carrying an id this store derived for one of its own seqs is that message.
        let own = try await store.append(Drafts.reply("req-3"))
        var echo = Drafts.reply("req-3")
        echo.id = own.id
        let echoed = try await store.append(echo)
        #expect(echoed.duplicate && echoed.seq == own.seq)
        #expect(try store.makeReader().backlog().lastSeq == own.seq)
    }

    @Test("an id this store derived for a seq it never issued is not a duplicate: seqs an R7 jump skipped, seqs that hold a message with an id of its own, held or pruned")
    func neverIssuedDerivedIDs() async throws {
        let directory = TemporaryDirectory()
        let clock = ManualClock()
        let store = try openStore(directory, clock: clock)
        defer { store.close() }
        // Five held messages, then the cloud acks 30 (R7): they move to 31…35 keeping their ids
        // (now explicit), and 6…30 are never issued.
        let held = try store.appendAndWait((0..<5).map { Drafts.reply("held-\($0)") })
        _ = try store.acknowledgeAndWait(through: 30)
        let withID: (String, Int64) -> MessageDraft = { request, seq in
            var draft = Drafts.reply(request)
            draft.id = store.ids.id(forSeq: seq)
            return draft
        }
        // An id that was issued (seq 3, moved to 33) is that message wherever it went.
        var moved = Drafts.reply("held-2")
        moved.id = held[2].id
        let echoed = try await store.append(moved)
        #expect(echoed.duplicate && echoed.seq == 33)
        // Seq 20 was skipped by the jump; seq 32 holds held-1 under held-1's own id.
        for seq: Int64 in [20, 32] {
            let appended = try await store.append(withID("new-\(seq)", seq))
            #expect(!appended.duplicate, "the id of seq \(seq) was never issued")
            #expect(appended.id == store.ids.id(forSeq: seq))
        }
        // Acked and pruned: seq 34 held a message with an id of its own, so its derived id was still
        // never issued; held-3 (its own id) is recognised after the prune.
        _ = try store.acknowledgeAndWait(through: try store.makeReader().lastAssignedSeq())
        clock.advance(byMS: 1_000)
        _ = try store.prune(retentionMS: 0)
        let afterPrune = try await store.append(withID("new-34", 34))
        #expect(!afterPrune.duplicate, "the id of seq 34 was never issued")
        var again = Drafts.reply("held-3")
        again.id = held[3].id
        #expect(try await store.append(again).duplicate, "held-3 was this store's, pruned or not")
        #expect(try store.makeReader().verify().isClean)
    }

    @Test("UUID-shaped keys are stored as 16 bytes only when they convert back exactly")
    func compactKeys() async throws {
        let lower = "3f2b8c1e-7a4d-4e2b-9c1f-0a1b2c3d4e5f"
        #expect(StoredKey.encode(lower) == .blob(MessageID(string: lower)!.bytes))
        #expect(StoredKey.encode(lower.uppercased()) == .text(lower.uppercased()))
        #expect(StoredKey.encode("req-1") == .text("req-1"))
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        defer { store.close() }
        for requestID in [lower, lower.uppercased(), "req-1"] {
            let appended = try await store.append(Drafts.event(requestID, "accepted", eventID: requestID, data: ["job_type": "tool"]))
            let reader = try store.makeReader()
            #expect(try reader.message(seq: appended.seq)?.requestID == requestID)
            #expect(try reader.message(seq: appended.seq)?.naturalKey == requestID)
            #expect(try reader.timeline(requestID: requestID)?.events.count == 1)
            var filter = InspectFilter()
            filter.requestID = requestID
            #expect(try reader.inspect(filter).map(\.seq) == [appended.seq])
            // The natural key is found again in its compact form: a repeat is a duplicate.
            let again = try await store.append(Drafts.event(requestID, "accepted", eventID: requestID, data: ["job_type": "tool"]))
            #expect(again.duplicate)
        }
        #expect(try store.makeReader().verify().isClean)
    }
}
