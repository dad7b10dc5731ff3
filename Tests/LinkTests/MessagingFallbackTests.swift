@testable import CloudConnector
@testable import CloudConnectorCLI
import ConnectorCore
import Foundation
import Glibc
import LocalAPI
import OutboxStore
import Testing

extension LinkSuites {
    /// config.json's `messaging.handler`: with no agent for the workspace within the wait, the
    /// command handler `<handlers_dir>/tools/NAME` answers the message instead of an `error` reply.
    @Suite("Messaging fallback handler", .timeLimit(.minutes(1)))
    struct MessagingFallbackTests {
        static let wait: Duration = .milliseconds(100)
        static let handlerName = "reply-bot"

        /// A data directory with `handlers/tools` and `work` (0700), handlers written 0700.
        struct Fixture {
            let directory: DataDirectory

            init() throws {
                directory = try DataDirectory.prepare(
                    NSTemporaryDirectory() + "messaging-fallback-" + UUID().uuidString, logger: testLogger("data"))
                for folder in ["handlers", "handlers/tools", "work"] {
                    try FileManager.default.createDirectory(
                        atPath: directory.file(folder), withIntermediateDirectories: true)
                    chmod(directory.file(folder), 0o700)
                }
            }

            func remove() { try? FileManager.default.removeItem(atPath: directory.path) }

            /// Writes `handlers/tools/reply-bot` (with a `#!/bin/sh` line) through a close-on-exec
            /// descriptor, so a process spawned meanwhile by another test cannot hold it open for
            /// writing (exec would fail with ETXTBSY); mode 0755, not writable by others.
            func handler(_ body: String) throws {
                let path = directory.file("handlers/tools/" + MessagingFallbackTests.handlerName)
                let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
                guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
                let bytes = Array(("#!/bin/sh\n" + body + "\n").utf8)
                let written = write(fd, bytes, bytes.count)
                close(fd)
                guard written == bytes.count else { throw POSIXError(.EIO) }
                chmod(path, 0o755)
            }

            /// The dispatch as `run` builds it, from a config.json naming the handler (or none).
            func dispatch(
                handler: String? = MessagingFallbackTests.handlerName, replyTimeout: Duration? = nil
            ) -> MessagingDispatch {
                var config = ConfigFile()
                config.messagingHandler = handler
                return MessagingDispatch(
                    agents: AgentHub(logger: testLogger("agents")), wait: MessagingFallbackTests.wait,
                    replyTimeout: replyTimeout, fallback: MessagingFallback(config, directory: directory),
                    logger: testLogger("dispatch"))
            }
        }

        static func request(text: String = "hello") -> AgentRequest {
            AgentRequest(
                requestID: "msg-1", workspaceID: "ws-fallback", channel: "line", userID: "U1", text: text,
                event: [
                    "request_id": "msg-1", "channel": "line", "event_type": "message", "user_id": "U1",
                    // Never in what reaches a handler, at whatever depth and in either spelling.
                    "reply_token": "tok-SECRET-1", "source": ["replyToken": "tok-SECRET-2", "type": "user"],
                    "events": [["replyToken": "tok-SECRET-3"]],
                    "message": ["type": "text", "text": .string(text)], "channel_config_id": "cfg-1",
                ])
        }

        static func reason(_ answer: AgentAnswer) -> String? {
            if case .failed(let reason) = answer { return reason }
            return nil
        }

        /// Gone, or a zombie nobody reaps (pid 1 in a container may not).
        static func processIsGone(_ pid: pid_t) -> Bool {
            if kill(pid, 0) != 0 { return errno == ESRCH }
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return true }
            return stat[stat.index(close, offsetBy: 2)] == "Z"
        }

        @Test("no agent within the wait: the handler's result becomes the reply text")
        func handlerAnswers() async throws {
            let fixture = try Fixture()
            defer { fixture.remove() }
            try fixture.handler(#"cat >/dev/null; echo '{"type":"progress","progress":0.5}'; echo '{"type":"result","result":"from the handler"}'"#)
            let started = ContinuousClock.now
            let answer = await fixture.dispatch().answer(Self.request())
            #expect(answer == .reply(text: "from the handler"))
            #expect(ContinuousClock.now - started >= Self.wait, "the agent wait comes first")
        }

        @Test("the handler gets the message on stdin, never a reply_token")
        func stdinHasNoReplyToken() async throws {
            let fixture = try Fixture()
            defer { fixture.remove() }
            // Echoes its stdin back as the reply text (as a JSON string: \ and " escaped).
            try fixture.handler(#"""
                line=$(cat)
                escaped=$(printf '%s' "$line" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g')
                printf '{"type":"result","result":{"reply_text":"%s"}}\n' "$escaped"
                """#)
            let answer = await fixture.dispatch().answer(Self.request(text: "what are your opening hours?"))
            guard case .reply(let stdin) = answer else {
                Issue.record("expected a reply, got \(answer)")
                return
            }
            #expect(!stdin.contains("tok-SECRET"), "\(stdin)")
            #expect(!stdin.contains("reply_token") && !stdin.contains("replyToken"), "\(stdin)")
            let document = try JSON.parse(stdin)
            #expect(document["request_id"] == "msg-1")
            #expect(document["job_type"] == "tool")
            #expect(document["name"] == .string(Self.handlerName))
            let inputs = document["inputs"]
            #expect(inputs?["request_id"] == "msg-1")
            #expect(inputs?["workspace_id"] == "ws-fallback")
            #expect(inputs?["channel"] == "line")
            #expect(inputs?["user_id"] == "U1")
            #expect(inputs?["text"] == "what are your opening hours?")
            #expect(inputs?["event"]?["message"]?["text"] == "what are your opening hours?")
            #expect(inputs?["event"]?["source"]?["type"] == "user", "only the token is removed")
            #expect(document["request"]?["channel_config_id"] == "cfg-1")
        }

        @Test("a failing handler gives an error reason naming it and why", arguments: [
            ("echo 'model unavailable' >&2; exit 3", ["handler_failed", "model unavailable"]),
            (#"echo '{"type":"error","code":"quota","message":"out of credits"}'"#, ["(quota)", "out of credits"]),
            (#"echo '{"type":"result","result":42}'"#, ["gave no reply text"]),
            (#"echo '{"type":"result","result":{"reply_text":""}}'"#, ["gave no reply text"]),
            ("echo 'not json'", ["invalid_handler_output"]),
        ])
        func handlerFails(body: String, expected: [String]) async throws {
            let fixture = try Fixture()
            defer { fixture.remove() }
            try fixture.handler("cat >/dev/null; " + body)
            let reason = Self.reason(await fixture.dispatch().answer(Self.request())) ?? "no failure"
            #expect(reason.hasPrefix("no agent for workspace ws-fallback connected within"), "\(reason)")
            #expect(reason.contains("the messaging handler tools/reply-bot"), "\(reason)")
            for part in expected { #expect(reason.contains(part), "\(reason)") }
        }

        @Test("a configured handler that is not there fails as unknown_tool, naming where it was looked for")
        func handlerMissing() async throws {
            let fixture = try Fixture()
            defer { fixture.remove() }
            let reason = Self.reason(await fixture.dispatch().answer(Self.request())) ?? "no failure"
            #expect(reason.contains("the messaging handler tools/reply-bot failed (unknown_tool)"), "\(reason)")
            #expect(reason.contains(fixture.directory.file("handlers")), "\(reason)")
        }

        @Test("a handler that overruns the reply timeout is killed and the message fails")
        func handlerTimesOut() async throws {
            let fixture = try Fixture()
            defer { fixture.remove() }
            let pidFile = fixture.directory.file("handler.pid")
            try fixture.handler("echo $$ > '\(pidFile)'; exec sleep 30")
            let started = ContinuousClock.now
            let reason = Self.reason(
                await fixture.dispatch(replyTimeout: .milliseconds(300)).answer(Self.request())) ?? "no failure"
            #expect(reason.contains("the messaging handler tools/reply-bot did not answer within"), "\(reason)")
            #expect(ContinuousClock.now - started < .seconds(10))
            let pid = (try? String(contentsOfFile: pidFile, encoding: .utf8))
                .flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            #expect(pid != nil)
            if let pid { #expect(Self.processIsGone(pid), "the handler's process group is killed before the answer") }
        }

        @Test("without a handler configured the message fails after the wait, as before")
        func noFallback() async throws {
            let fixture = try Fixture()
            defer { fixture.remove() }
            try fixture.handler(#"echo '{"type":"result","result":"must not run"}'"#)
            let started = ContinuousClock.now
            let reason = Self.reason(await fixture.dispatch(handler: nil).answer(Self.request())) ?? "no failure"
            #expect(ContinuousClock.now - started >= Self.wait)
            #expect(reason == "no agent for workspace ws-fallback connected within \(Self.wait)")
        }

        @Test("through the MessagingHandler: a completed messaging_reply with the handler's text")
        func endToEnd() async throws {
            let fixture = try Fixture()
            defer { fixture.remove() }
            try fixture.handler(#"cat >/dev/null; echo '{"type":"result","result":"We open at 9."}'"#)
            let harness = try await LinkHarness()
            let handler = MessagingHandler(
                store: harness.store, deviceID: testDevice, tenantID: testTenant, bindings: [:],
                defaultWorkspace: "ws-fallback", logger: testLogger("messaging"), dispatch: fixture.dispatch().closure)
            await handler.handle(MessagingTests.event("m-fallback"))
            await handler.drain()
            let replies = try MessagingTests.replies(harness.store)
            #expect(replies.count == 1)
            #expect(replies.first?.1["status"] == "completed")
            #expect(replies.first?.1["reply_text"] == "We open at 9.")
            #expect(replies.first?.1["workspace_id"] == "ws-fallback")
            await harness.finish()
        }
    }
}
