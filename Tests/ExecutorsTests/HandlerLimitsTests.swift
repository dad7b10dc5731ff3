import Executors
import Foundation
import Glibc
import Testing

@Suite struct HandlerLimitsTests {
    @Test func aStdoutFloodIsCutOffAndReported() async throws {
        let fixture = try HandlerFixture()
        defer { fixture.remove() }
        // Valid lines, endlessly: only the total cap can stop it. `exec` keeps the pid it wrote.
        try fixture.tool("flood", """
            echo $$ > '\(fixture.file("pid"))'
            exec yes '{"type":"progress","progress":0.5}'
            """)
        let recorder = OutputRecorder(keep: 10)
        let outcome = await fixture.executor().execute(.tool("flood"), output: recorder.callback)
        #expect(outcome.code == "output_too_large")
        #expect(outcome.message.contains("more than 4194304 bytes to stdout"), "\(outcome)")
        // Lines were reported as they came, and no more than the cap holds.
        #expect(recorder.count > 1_000)
        #expect(recorder.count <= (4 << 20) / 35)
        let pid = try #require(await waitForPID(fixture, "pid"))
        #expect(await eventually { processIsGone(pid) })
    }

    @Test func aConfiguredSmallerCapApplies() async throws {
        let fixture = try HandlerFixture()
        defer { fixture.remove() }
        try fixture.tool("chatty", #"exec yes '{"type":"progress","message":"again"}'"#)
        let outcome = await fixture.executor(limits: HandlerOutputLimits(maxOutputBytes: 10_000))
            .execute(.tool("chatty"), output: { _ in })
        #expect(outcome.code == "output_too_large")
        #expect(outcome.message.contains("more than 10000 bytes"), "\(outcome)")
    }

    @Test func anEndlessLineIsCutOffAtTheLineCap() async throws {
        let fixture = try HandlerFixture()
        defer { fixture.remove() }
        try fixture.tool("longline", "head -c 3000000 /dev/zero | tr '\\0' a")
        let outcome = await fixture.executor().execute(.tool("longline"), output: { _ in })
        #expect(outcome.code == "output_too_large")
        #expect(outcome.message.contains("stdout line 1 is longer than 1048576 bytes"), "\(outcome)")
    }

    @Test func aResultOverOneMebibyteIsResultTooLarge() async throws {
        let fixture = try HandlerFixture()
        defer { fixture.remove() }
        try fixture.tool("huge", """
            echo '{"type":"progress","message":"building"}'
            printf '{"type":"result","result":"'
            head -c 1100000 /dev/zero | tr '\\0' a
            printf '"}\\n'
            """)
        let outcome = await fixture.executor().execute(.tool("huge"), output: { _ in })
        #expect(outcome.code == "result_too_large", "\(outcome)")
    }

    @Test func aResultOverTheConfiguredResultCapIsResultTooLarge() async throws {
        let fixture = try HandlerFixture()
        defer { fixture.remove() }
        try fixture.tool("big", #"echo '{"type":"result","result":{"text":"0123456789012345678901234567890123456789"}}'"#)
        let outcome = await fixture.executor(limits: HandlerOutputLimits(maxResultBytes: 32))
            .execute(.tool("big"), output: { _ in })
        #expect(outcome.code == "result_too_large")
        #expect(outcome.message.contains("more than 32"), "\(outcome)")
    }

    @Test func aFloodOfStderrKeepsOnlyItsTail() async throws {
        let fixture = try HandlerFixture()
        defer { fixture.remove() }
        try fixture.tool("stderr-flood", """
            head -c 5000000 /dev/zero | tr '\\0' e >&2
            echo ' the real cause' >&2
            exit 1
            """)
        let outcome = await fixture.executor().execute(.tool("stderr-flood"), output: { _ in })
        #expect(outcome.code == "handler_failed")
        #expect(outcome.message.hasSuffix("the real cause"), "\(outcome.message.suffix(40))")
        #expect(outcome.message.count < 600)
    }
}
