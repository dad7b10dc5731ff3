import Executors
import Foundation
import Glibc
import Testing

@Suite struct CancellationTests {
    @Test func cancellingKillsTheHandlerAndItsChildren() async throws {
        let fixture = try HandlerFixture()
        defer { fixture.remove() }
        try fixture.tool("spawner", """
            sleep 1000 &
            echo $! > '\(fixture.file("grandchild"))'
            echo $$ > '\(fixture.file("child"))'
            echo '{"type":"progress","message":"started"}'
            wait
            """)
        let recorder = OutputRecorder()
        let executor = fixture.executor()
        let running = Task { await executor.execute(.tool("spawner"), output: recorder.callback) }
        #expect(await eventually { recorder.count == 1 })
        let grandchild = try #require(await waitForPID(fixture, "grandchild"))
        let child = try #require(await waitForPID(fixture, "child"))
        running.cancel()
        let outcome = await running.value
        #expect(outcome.code == "cancelled")
        #expect(await eventually { processIsGone(grandchild) })
        #expect(await eventually { processIsGone(child) })
    }

    @Test func childrenThatIgnoreSIGTERMAreKilledAfterTheGrace() async throws {
        let fixture = try HandlerFixture()
        defer { fixture.remove() }
        try fixture.tool("stubborn", """
            trap '' TERM
            sleep 1000 &
            echo $! > '\(fixture.file("grandchild"))'
            while :; do wait; done
            """)
        let executor = fixture.executor(grace: .milliseconds(300))
        let running = Task { await executor.execute(.tool("stubborn"), output: { _ in }) }
        let grandchild = try #require(await waitForPID(fixture, "grandchild"))
        running.cancel()
        #expect(await running.value.code == "cancelled")
        #expect(await eventually { processIsGone(grandchild) })
    }

    @Test func backgroundProcessesDoNotOutliveAHandlerThatExited() async throws {
        let fixture = try HandlerFixture()
        defer { fixture.remove() }
        // The background sleep keeps stdout open: the run must end with the handler, not with it.
        try fixture.tool("leaver", """
            sleep 1000 &
            echo $! > '\(fixture.file("grandchild"))'
            echo '{"type":"result","result":"done"}'
            """)
        #expect(await fixture.executor().execute(.tool("leaver"), output: { _ in }) == .completed(result: "done"))
        let grandchild = try #require(await waitForPID(fixture, "grandchild"))
        #expect(await eventually { processIsGone(grandchild) })
    }

    @Test func aTaskCancelledBeforehandRunsNothing() async throws {
        let fixture = try HandlerFixture()
        defer { fixture.remove() }
        try fixture.tool("marker", "touch '\(fixture.file("ran"))'")
        let executor = fixture.executor()
        let running = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await executor.execute(.tool("marker"), output: { _ in })
        }
        #expect(await running.value.code == "cancelled")
        #expect(!FileManager.default.fileExists(atPath: fixture.file("ran")))
    }

    @Test func aHandlerThatNeverReadsItsLargeInputStillRunsAndIsCancellable() async throws {
        let fixture = try HandlerFixture()
        defer { fixture.remove() }
        // 300 KB of inputs do not fit a pipe buffer: writing them must not block anything.
        try fixture.tool("deaf", """
            echo '{"type":"progress","message":"up"}'
            sleep 1000
            """)
        let recorder = OutputRecorder()
        let executor = fixture.executor()
        let big = String(repeating: "x", count: 300_000)
        let running = Task { await executor.execute(.tool("deaf", inputs: ["blob": .string(big)]), output: recorder.callback) }
        #expect(await eventually { recorder.count == 1 })
        running.cancel()
        #expect(await running.value.code == "cancelled")
    }
}
