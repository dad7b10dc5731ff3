import ConnectorCore
import Executors
import Foundation
import Glibc
import Testing

/// Real handlers (small sh scripts) in real temporary folders.
@Suite struct CommandExecutorTests {
    @Test func progressUsageAndResultArriveInOrderAndTheHandlerGetsTheJobOnStdin() async throws {
        let fixture = try HandlerFixture()
        defer { fixture.remove() }
        try fixture.tool("summarize", """
            job=$(cat)
            echo '{"type":"progress","progress":0.25,"message":"reading"}'
            echo '{"type":"usage","token_usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15},"cost_estimate":{"amount":0.0125,"currency":"USD"},"model":"m-1"}'
            echo '{"type":"progress","progress":1}'
            printf '{"type":"result","result":{"echo":%s}}\\n' "$job"
            """)
        let recorder = OutputRecorder()
        let job = ExecutionJob.tool("summarize", inputs: ["text": "héllo \"quoted\"", "n": 3])
        let outcome = await fixture.executor().execute(job, output: recorder.callback)

        #expect(outcome == .completed(result: [
            "echo": ["request_id": "req-1", "job_type": "tool", "name": "summarize", "inputs": .object(job.inputs),
                     "request": .object(job.request)],
        ]))
        #expect(recorder.all == [
            .progress(fraction: 0.25, message: "reading"),
            .usage(UsageFigures(
                promptTokens: 10, completionTokens: 5, totalTokens: 15, costAmount: JSONNumber(literal: "0.0125"),
                currency: "USD", model: "m-1")),
            .progress(fraction: 1, message: nil),
        ])
    }

    @Test func progressIsReportedWhileTheHandlerStillRuns() async throws {
        let fixture = try HandlerFixture()
        defer { fixture.remove() }
        try fixture.tool("slow", """
            echo '{"type":"progress","message":"first"}'
            while [ ! -e '\(fixture.file("go"))' ]; do sleep 0.05; done
            echo '{"type":"result","result":1}'
            """)
        let recorder = OutputRecorder()
        let executor = fixture.executor()
        let running = Task { await executor.execute(.tool("slow"), output: recorder.callback) }
        #expect(await eventually { recorder.count == 1 })
        #expect(FileManager.default.createFile(atPath: fixture.file("go"), contents: nil))
        #expect(await running.value == .completed(result: 1))
        #expect(recorder.all == [.progress(fraction: nil, message: "first")])
    }

    @Test func exitZeroWithoutResultCompletesWithAnEmptyObject() async throws {
        let fixture = try HandlerFixture()
        defer { fixture.remove() }
        try fixture.tool("quiet", "exit 0")
        #expect(await fixture.executor().execute(.tool("quiet"), output: { _ in }) == .completed(result: [:]))
    }

    @Test func playbooksComeFromThePlaybooksFolder() async throws {
        let fixture = try HandlerFixture()
        defer { fixture.remove() }
        try fixture.handler("playbooks/onboard", #"echo '{"type":"result","result":"playbook ran"}'"#)
        try fixture.tool("onboard", #"echo '{"type":"result","result":"tool ran"}'"#)
        #expect(await fixture.executor().execute(.playbook("onboard"), output: { _ in }) == .completed(result: "playbook ran"))
        #expect(await fixture.executor().execute(.tool("onboard"), output: { _ in }) == .completed(result: "tool ran"))
    }

    @Test func anErrorLineFailsWithItsCodeWhateverTheExitStatus() async throws {
        let fixture = try HandlerFixture()
        defer { fixture.remove() }
        try fixture.tool("quota", """
            echo '{"type":"error","code":"quota_exceeded","message":"monthly quota used up","retryable":true}'
            echo '{"type":"result","result":"ignored"}'
            exit 0
            """)
        try fixture.tool("plain", """
            echo '{"type":"error","code":"bad_input","message":"no text"}'
            exit 4
            """)
        let executor = fixture.executor()
        #expect(await executor.execute(.tool("quota"), output: { _ in })
            == .failed(code: "quota_exceeded", message: "monthly quota used up", retryable: true))
        #expect(await executor.execute(.tool("plain"), output: { _ in })
            == .failed(code: "bad_input", message: "no text", retryable: false))
    }

    @Test func nonZeroExitFailsWithTheStatusAndACleanStderrTail() async throws {
        let fixture = try HandlerFixture()
        defer { fixture.remove() }
        try fixture.tool("broken", """
            i=0
            while [ $i -lt 200 ]; do echo "noise line $i" >&2; i=$((i+1)); done
            printf 'boom: the \\033[31mdatabase\\033[0m is locked\\n' >&2
            exit 3
            """)
        let outcome = await fixture.executor().execute(.tool("broken"), output: { _ in })
        #expect(outcome.code == "handler_failed")
        #expect(outcome.message.hasPrefix("tools/broken exited with status 3: "), "\(outcome)")
        #expect(outcome.message.hasSuffix("boom: the [31mdatabase [0m is locked"), "\(outcome)")
        #expect(!outcome.message.unicodeScalars.contains { $0.properties.generalCategory == .control })
        #expect(outcome.message.count < 600, "the tail is bounded: \(outcome.message.count)")
        #expect(!outcome.isRetryable)
    }

    @Test func deathBySignalNamesTheSignal() async throws {
        let fixture = try HandlerFixture()
        defer { fixture.remove() }
        // SIGUSR1's default action ends the process; it is reset to default in the child.
        try fixture.tool("crash", """
            echo 'about to crash' >&2
            kill -USR1 $$
            sleep 5
            """)
        let outcome = await fixture.executor().execute(.tool("crash"), output: { _ in })
        #expect(outcome.code == "handler_failed")
        #expect(outcome.message.contains("killed by signal SIGUSR1"), "\(outcome)")
        #expect(outcome.message.contains("about to crash"), "\(outcome)")
    }

    @Test func missingHandlersAreUnknownToolsAndPlaybooks() async throws {
        let fixture = try HandlerFixture()
        defer { fixture.remove() }
        let executor = fixture.executor()
        #expect(await executor.execute(.tool("nope"), output: { _ in }).code == "unknown_tool")
        #expect(await executor.execute(.playbook("nope"), output: { _ in }).code == "unknown_playbook")
        let missingFolder = CommandExecutor(handlersDirectory: fixture.root + "/absent")
        #expect(await missingFolder.execute(.tool("nope"), output: { _ in }).code == "unknown_tool")
    }

    @Test func aScriptWithoutInterpreterLineCannotStart() async throws {
        let fixture = try HandlerFixture()
        defer { fixture.remove() }
        try fixture.handler("tools/bare", shebang: false, "echo hi")
        let outcome = await fixture.executor().execute(.tool("bare"), output: { _ in })
        #expect(outcome.code == "handler_failed")
        #expect(outcome.message.contains("could not start"), "\(outcome)")
        #expect(outcome.message.contains("#!"), "\(outcome)")
    }

    @Test func aHandlerOpenForWritingIsBusyUntilTheWriterIsDone() async throws {
        let fixture = try HandlerFixture()
        defer { fixture.remove() }
        let path = try fixture.tool("updating", "exit 0")
        let writer = open(path, O_WRONLY | O_CLOEXEC)
        #expect(writer >= 0)
        let busy = await fixture.executor().execute(.tool("updating"), output: { _ in })
        #expect(busy.code == "handler_failed")
        #expect(busy.message.contains("is it being written right now?"), "\(busy)")
        close(writer)
        #expect(await fixture.executor().execute(.tool("updating"), output: { _ in }) == .completed(result: [:]))
    }

    @Test func invalidOutputLinesFailWithTheLineNumberAndAnExcerptAndStopTheHandler() async throws {
        let fixture = try HandlerFixture()
        defer { fixture.remove() }
        try fixture.tool("garbage", """
            echo '{"type":"progress","message":"fine"}'
            echo ''
            echo 'this is not json'
            sleep 1000
            """)
        try fixture.tool("unknown-type", """
            echo '{"type":"telemetry","cpu":3}'
            sleep 1000
            """)
        try fixture.tool("bad-progress", #"echo '{"type":"progress","progress":1.5}'"#)
        try fixture.tool("two-results", """
            echo '{"type":"result","result":1}'
            echo '{"type":"result","result":2}'
            """)
        let executor = fixture.executor()
        let recorder = OutputRecorder()
        let garbage = await executor.execute(.tool("garbage"), output: recorder.callback)
        #expect(garbage.code == "invalid_handler_output")
        #expect(garbage.message.contains("stdout line 3 is not valid JSON"), "\(garbage)")
        #expect(garbage.message.contains("this is not json"), "\(garbage)")
        #expect(recorder.all == [.progress(fraction: nil, message: "fine")])

        let unknown = await executor.execute(.tool("unknown-type"), output: { _ in })
        #expect(unknown.code == "invalid_handler_output")
        #expect(unknown.message.contains(#"line 1 has unknown type "telemetry""#), "\(unknown)")

        #expect(await executor.execute(.tool("bad-progress"), output: { _ in }).code == "invalid_handler_output")
        let twice = await executor.execute(.tool("two-results"), output: { _ in })
        #expect(twice.code == "invalid_handler_output")
        #expect(twice.message.contains("second result"), "\(twice)")
    }

    @Test func leftoverWorkingDirectoriesAreRemovedOnRequestAndNothingElse() async throws {
        let fixture = try HandlerFixture()
        defer { fixture.remove() }
        for name in ["cloud-connector-exec-AAAAAA/deep/er", "cloud-connector-exec-BBBBBB", "keep-me"] {
            try FileManager.default.createDirectory(atPath: fixture.work + "/" + name, withIntermediateDirectories: true)
        }
        #expect(fixture.executor().removeLeftoverWorkDirectories() == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.work) == ["keep-me"])
    }

    @Test func handlersACrashLeftRunningAreKilledWithTheirChildrenBeforeTheirDirectoryGoes() async throws {
        let fixture = try HandlerFixture()
        defer { fixture.remove() }
        let leftover = fixture.work + "/cloud-connector-exec-CCCCCC"
        try FileManager.default.createDirectory(atPath: leftover, withIntermediateDirectories: true)
        // A handler as a crash leaves it: its own process group, working in its directory, with a child.
        let script = "sleep 300 & echo $! > child; echo $$ > leader; wait"
        let handler = Process()
        handler.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
        handler.arguments = ["/bin/sh", "-c", script]
        handler.currentDirectoryURL = URL(fileURLWithPath: leftover)
        // Not the test's own output: a survivor holding it would keep `swift test` waiting.
        handler.standardOutput = FileHandle.nullDevice
        handler.standardError = FileHandle.nullDevice
        try handler.run()
        var pids: [pid_t] = []
        let deadline = ContinuousClock.now + .seconds(30)
        while pids.count < 2, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
            pids = ["leader", "child"].compactMap {
                (try? String(contentsOfFile: leftover + "/" + $0, encoding: .utf8)).flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            }
        }
        try #require(pids.count == 2)
        defer { pids.forEach { _ = kill($0, SIGKILL) } }
        // An unrelated process elsewhere must survive.
        let bystander = Process()
        bystander.executableURL = URL(fileURLWithPath: "/bin/sleep")
        bystander.arguments = ["300"]
        bystander.standardOutput = FileHandle.nullDevice
        bystander.standardError = FileHandle.nullDevice
        try bystander.run()
        defer { bystander.terminate() }

        #expect(fixture.executor().removeLeftoverWorkDirectories() == 1)
        let gone = await eventuallyTrue { pids.allSatisfy(Self.isGoneOrZombie) }
        #expect(gone, "the leftover handler and its child still run")
        #expect(bystander.isRunning)
        #expect(!FileManager.default.fileExists(atPath: leftover))
    }

    /// Gone, or dead and waiting for its parent (an orphan's parent may be slow to reap it).
    static func isGoneOrZombie(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
        return stat.split(separator: ")").last?.split(separator: " ").first == "Z"
    }

    func eventuallyTrue(_ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return condition()
    }

    @Test func theWorkingDirectoryIsFreshAndRemovedAfterwards() async throws {
        let fixture = try HandlerFixture()
        defer { fixture.remove() }
        try fixture.tool("litter", """
            pwd > '\(fixture.file("pwd"))'
            mkdir -p locked/inner && touch locked/inner/file && chmod 500 locked
            echo '{"type":"result","result":"ok"}'
            """)
        #expect(await fixture.executor().execute(.tool("litter"), output: { _ in }) == .completed(result: "ok"))
        let directory = try #require(fixture.read("pwd")).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(directory.hasPrefix(fixture.work + "/"))
        #expect(!FileManager.default.fileExists(atPath: directory))
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.work).isEmpty)
    }
}
