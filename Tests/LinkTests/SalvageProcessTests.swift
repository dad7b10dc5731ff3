import CloudConnector
import Foundation
import OutboxStore
import ReferenceCloud
import SQLiteDB
import Testing
import TrafficGenerator

extension LinkSuites {
    @Suite("Quarantine and salvage (real processes)", .timeLimit(.minutes(4)))
    struct SalvageProcessTests {
        /// Overwrites the second-to-last leaf of the log with garbage: rows the old open checks never
        /// read (they read the first and the last row). Returns the seqs that were on it.
        static func damageNewestPage(_ path: String) throws -> [Int64] {
            let db = try Database(path: path, mode: .readWrite(create: false))
            let leaves = try db.all("SELECT pageno, ncell FROM dbstat WHERE name = 'outbox' AND pagetype = 'leaf' ORDER BY path")
            let target = leaves.count - 2
            let before = leaves[..<target].reduce(Int64(0)) { $0 + ($1[1].int64 ?? 0) }
            let seqs = try db.all(
                "SELECT seq FROM outbox ORDER BY seq LIMIT ? OFFSET ?", [leaves[target][1], .integer(before)]
            ).compactMap { $0[0].int64 }
            let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            try handle.seek(toOffset: UInt64((leaves[target][0].int64 ?? 1) - 1) * 8192)
            try handle.write(contentsOf: (0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 29) })
            return seqs
        }

        @Test("a store damaged below its header is quarantined at start; salvage beside the running service brings its messages back under their ids; the cloud counts none twice")
        func quarantineThenSalvage() async throws {
            let harness = try await LinkHarness()
            let env = await ProcessTests.environment(harness)
            // 150 messages delivered and acked, then 150 more kept while no service runs.
            try await harness.append(count: 150, batch: 50)
            harness.store.close()
            let first = try ConnectorProcess(["run"], environment: env, logPath: harness.directory + "/first.log")
            try await eventually("the first 150 acked") { try await harness.cloud.counts(deviceID: testDevice).ackedSeq == 150 }
            first.signal(SIGTERM)
            #expect(try await first.waitForExit() == 0, "\(first.log)")
            let reader = try StoreReaderForTests(directory: harness.directory + "/device")
            var generator = TrafficGenerator(seed: 8, deviceID: testDevice, tenantID: testTenant)
            _ = try await reader.store.append((0..<149).map { _ in generator.next() })
            // An execution the damaged store accepted and never ended (R13).
            let accepted = MessageDraft(type: .executionEvent, payload: [
                "event_id": "ev-open-accepted", "request_id": "req-open", "event_type": "accepted",
                "data": ["job_type": "tool"], "timestamp": "2026-12-03T10:00:00.000Z",
            ])
            _ = try await reader.store.append(
                [accepted], rows: InboxRows.open("req-open", kind: .executionRequest, jobType: "tool", workspaceID: nil, atMS: 1_795_000_000_000))
            var filter = InspectFilter()
            filter.limit = 1_000
            let reference = try reader.store.makeReader().inspect(filter).map { ($0.seq, $0.id.description) }
            reader.store.close()
            #expect(reference.count == 300)

            let device = harness.directory + "/device/"
            let lost = Set(try Self.damageNewestPage(device + "outbox.sqlite"))
            #expect(!lost.isEmpty && lost.allSatisfy { $0 > 150 }, "the damaged page holds unacked messages: \(lost.sorted())")

            let second = try ConnectorProcess(["run"], environment: env, logPath: harness.directory + "/second.log")
            try await eventually("the damaged store moved aside") {
                second.log.contains("moved aside") && !StoreQuarantine.list(directory: device, fileName: OutboxStore.fileName).isEmpty
            }
            let moved = try #require(StoreQuarantine.list(directory: device, fileName: OutboxStore.fileName).first).path
            try await eventually("the fresh store linked") {
                (try? StoreReaderForTests(directory: device).linkStatus()?.state) == "live"
            }

            // Beside the running service, as an operator would.
            let salvage = try ConnectorProcess(["outbox", "salvage", moved, "--json"], environment: env, logPath: harness.directory + "/salvage.log")
            #expect(try await salvage.waitForExit(timeout: .seconds(60)) == 1, "incomplete: a page was lost\n\(salvage.log)")
            #expect(salvage.log.contains("\"salvaged\": \(300 - lost.count),"), "\(salvage.log)")
            let again = try ConnectorProcess(["outbox", "salvage", moved], environment: env, logPath: harness.directory + "/again.log")
            #expect(try await again.waitForExit(timeout: .seconds(60)) == 1)
            #expect(again.log.contains("nothing new"), "\(again.log)")

            // Every message of an undamaged page reaches the cloud once, under its own id; the 150 it
            // already held are recognised by id (R6) and not stored again.
            let expected = Set(reference.filter { !lost.contains($0.0) }.map(\.1))
            try await eventually(timeout: .seconds(120), "the salvaged messages on the cloud") {
                Set(try await harness.cloud.messages(deviceID: testDevice).map(\.id)) == expected
            }
            let status = try ConnectorProcess(["status"], environment: env, logPath: harness.directory + "/status.log")
            #expect(try await status.waitForExit() == 0)
            #expect(status.log.contains("outbox salvage"), "\(status.log)")
            #expect(salvage.log.contains("\"open_copied\": 1"), "\(salvage.log)")
            #expect(try await harness.cloud.messages(deviceID: testDevice).count == expected.count, "none stored twice")
            second.signal(SIGTERM)
            #expect(try await second.waitForExit() == 0, "\(second.log)")

            // The next start ends the execution the damaged store left open, as after a crash (R13).
            let third = try ConnectorProcess(["run"], environment: env, logPath: harness.directory + "/third.log")
            // Its usage report is the seq after the failed event: wait for both before SIGTERM.
            try await eventually(timeout: .seconds(120), "req-open ended interrupted on the cloud, with its usage") {
                let messages = try await harness.cloud.messages(deviceID: testDevice)
                return messages.count >= expected.count + 2 && messages.contains {
                    $0.payload.contains("\"request_id\":\"req-open\"") && $0.payload.contains("\"interrupted\"")
                }
            }
            third.signal(SIGTERM)
            #expect(try await third.waitForExit() == 0, "\(third.log)")
            let messages = try await harness.cloud.messages(deviceID: testDevice)
            #expect(messages.count == expected.count + 2, "the failed event and its usage report, nothing else")
            #expect(Set(messages.map(\.id)).count == messages.count)
            await harness.finish()
        }
    }
}
