import ConnectorCore
import Foundation
import Testing

@Suite("outbox prune (real processes)")
struct PruneCommandTests {
    @Test("prune removes acked messages past retention, archives them for lz4 -d, and keeps totals and timelines",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/lz4")))
    func pruneWithArchive() throws {
        let fixture = Fixture()
        try Scenario.populate(fixture)
        let november = ["--from", "2026-11-01", "--to", "2026-12-02"]
        let totalsBefore = try fixture.json(["metering", "totals", "--group-by", "day"] + november)

        // Nothing is acked yet: nothing may go, whatever the retention.
        let nothing = try fixture.json("outbox", "prune", "--retention", "0s")
        #expect(nothing["messages"]?.int == 0)
        #expect(nothing["archive"]?.isNull == true)

        let store = try fixture.openStore()
        _ = try store.acknowledgeAndWait(through: 6)
        store.close()
        // Young messages stay under the default 30 days.
        #expect(try fixture.json("outbox", "prune")["messages"]?.int == 0)

        let archiveDir = fixture.root.file("archive")
        let pruned = try fixture.json("outbox", "prune", "--retention", "0s", "--archive", archiveDir)
        #expect(pruned["messages"]?.int == 6)
        #expect(pruned["pruned_through"]?.int == 6)
        #expect(pruned["retention_ms"]?.int == 0)
        #expect((pruned["bytes_on_disk_before"]?.int ?? 0) > 0)
        #expect((pruned["bytes_on_disk_after"]?.int ?? 0) > 0)
        let archive = try #require(pruned["archive"]?.stringValue)
        #expect(archive.hasPrefix(archiveDir))
        let lines = try CLI.runTool("/usr/bin/lz4", ["-dc", archive])
        #expect(lines.status == 0, "\(lines)")
        let envelopes = try lines.stdoutLines.map { try JSON.parse($0) }
        #expect(envelopes.map { $0["seq"]?.int } == [1, 2, 3, 4, 5, 6])
        #expect(envelopes[4]["payload"]?["report_id"]?.stringValue == "rep-1")

        let stats = try fixture.json("outbox", "stats")
        #expect(stats["pruned_through"]?.int == 6)
        #expect(stats["held_messages"]?.int == 6)
        #expect(stats["prune_runs"]?.int == 1)
        #expect(try fixture.json(["metering", "totals", "--group-by", "day"] + november) == totalsBefore)
        let timeline = try fixture.json("timeline", "req-1")
        #expect(timeline["event_count"]?.int == 4)
        #expect(timeline["retired_events"]?.int == 4)
        #expect(timeline["status"]?.stringValue == "completed")
        #expect(timeline["events"]?.arrayValue?.isEmpty == true)
        #expect(try fixture.run("outbox", "verify").status == 0)
        #expect(try fixture.json("outbox", "rebuild")["differences"]?.int == 0)
        #expect(try fixture.run("outbox", "peek", "3").status == 66)

        let human = try fixture.run("outbox", "prune", "--retention", "0s")
        #expect(human.status == 0)
        #expect(human.stdout.contains("removed         0 acked messages"))
    }

    @Test("an archive folder that cannot be made fails with 73 before anything is pruned")
    func badArchive() throws {
        let fixture = Fixture()
        try Scenario.populate(fixture)
        let store = try fixture.openStore()
        _ = try store.acknowledgeAndWait(through: 12)
        store.close()
        let blocker = fixture.root.file("file")
        _ = FileManager.default.createFile(atPath: blocker, contents: Data("x".utf8))
        let result = try fixture.run("outbox", "prune", "--retention", "0s", "--archive", blocker + "/sub")
        #expect(result.status == 73, "\(result)")
        #expect(result.stderr.contains("Nothing was pruned"))
        #expect(try fixture.json("outbox", "stats")["held_messages"]?.int == 12)
        #expect(try fixture.run("outbox", "prune", "--retention", "soon").status == 78)
    }
}
