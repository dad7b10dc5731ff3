import Executors
import Foundation
import Glibc
import Testing

@Suite struct HandlerEnvironmentTests {
    @Test func theHandlerSeesOnlyACleanEnvironment() async throws {
        let fixture = try HandlerFixture()
        defer { fixture.remove() }
        // Set in this test process: a child that inherited the environment would see it.
        setenv("CLOUD_API_KEY", "sk-test-must-not-leak-0123", 1)
        setenv("DEVICE_TOKEN", "tok-must-not-leak-4567", 1)
        defer {
            unsetenv("CLOUD_API_KEY")
            unsetenv("DEVICE_TOKEN")
        }
        try fixture.tool("printenv", """
            env > '\(fixture.file("env"))'
            echo '{"type":"result","result":{}}'
            """)
        let executor = CommandExecutor(
            handlersDirectory: fixture.handlers, workRoot: fixture.work, home: "/home/handler")
        #expect(await executor.execute(.tool("printenv", requestID: "req-env-9"), output: { _ in }) == .completed(result: [:]))

        let text = try #require(fixture.read("env"))
        #expect(!text.contains("must-not-leak"))
        var variables: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            variables[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        #expect(variables["PATH"] == "/usr/bin:/bin")
        #expect(variables["HOME"] == "/home/handler")
        #expect(variables["LANG"] == "C.UTF-8")
        #expect(variables["CLOUD_CONNECTOR_REQUEST_ID"] == "req-env-9")
        // sh itself exports PWD; nothing else may be there.
        #expect(Set(variables.keys).subtracting(["PWD"]) == ["PATH", "HOME", "LANG", "CLOUD_CONNECTOR_REQUEST_ID"])
    }

    @Test func signalsTheConnectorIgnoresAreDefaultInTheHandler() async throws {
        let fixture = try HandlerFixture()
        defer { fixture.remove() }
        // Ignored here (harmless for a test process), and blocked on the executor's own thread: a
        // child would inherit both without SETSIGDEF and SETSIGMASK.
        let previous = signal(SIGPIPE, SIG_IGN)
        defer { signal(SIGPIPE, previous) }
        // Builtins only: dash blocks every signal while it forks, so a grep run from the script
        // could catch the shell in that moment.
        try fixture.tool("signals", """
            while read -r key value; do
                case $key in SigIgn:|SigBlk:) echo "$key $value";; esac
            done < /proc/$$/status > '\(fixture.file("signals"))'
            """)
        #expect(await fixture.executor().execute(.tool("signals"), output: { _ in }) == .completed(result: [:]))
        let text = try #require(fixture.read("signals"))
        #expect(text.split(separator: "\n").count == 2, "\(text)")
        // SIGINT, SIGTERM, SIGPIPE, SIGHUP, SIGCHLD: none blocked, none ignored (bits 1, 15, 13, 0, 16).
        for line in text.split(separator: "\n") {
            let mask = UInt64(line.split(separator: " ").last.map(String.init) ?? "", radix: 16) ?? .max
            let watched: UInt64 = (1 << 0) | (1 << 1) | (1 << 12) | (1 << 14) | (1 << 16)
            #expect(mask & watched == 0, "\(line)")
        }
    }
}
