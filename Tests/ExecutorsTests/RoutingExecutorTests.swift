import ConnectorCore
import Executors
import Testing

@Suite struct RoutingExecutorTests {
    /// Answers with its own name, so a test sees which executor ran a job.
    struct Named: Executor {
        let name: String
        func execute(_ job: ExecutionJob, output: @escaping @Sendable (ExecutorOutput) -> Void) async -> ExecutorOutcome {
            output(.progress(fraction: nil, message: name))
            return .completed(result: .string(name))
        }
    }

    @Test func jobsGoToTheirOverrideOrTheDefault() async {
        let configuration = ExecutorsConfiguration(
            defaultRoute: .command,
            tools: ["crm_update": .http(url: "http://127.0.0.1:9000/crm"), "search": .http(url: "http://127.0.0.1:8000/exec")],
            playbooks: ["onboard": .http(url: "http://127.0.0.1:8000/exec")])
        let router = RoutingExecutor(configuration: configuration, command: Named(name: "command")) { url in
            Named(name: url)
        }
        #expect(await router.execute(.tool("other"), output: { _ in }) == .completed(result: "command"))
        #expect(await router.execute(.tool("crm_update"), output: { _ in }) == .completed(result: "http://127.0.0.1:9000/crm"))
        #expect(await router.execute(.playbook("onboard"), output: { _ in }) == .completed(result: "http://127.0.0.1:8000/exec"))
        // A tool override does not apply to a playbook of the same name.
        #expect(await router.execute(.playbook("crm_update"), output: { _ in }) == .completed(result: "command"))
        let recorder = OutputRecorder()
        _ = await router.execute(.tool("search"), output: recorder.callback)
        #expect(recorder.all == [.progress(fraction: nil, message: "http://127.0.0.1:8000/exec")])
    }

    @Test func oneExecutorIsMadePerDistinctURL() {
        let configuration = ExecutorsConfiguration(
            defaultRoute: .http(url: "http://a/exec"),
            tools: ["x": .http(url: "http://a/exec"), "y": .command, "z": .http(url: "http://b/exec")],
            playbooks: ["p": .http(url: "http://b/exec")])
        #expect(configuration.routes == [.http(url: "http://a/exec"), .command, .http(url: "http://b/exec")])
        let made = Counter()
        _ = RoutingExecutor(configuration: configuration, command: Named(name: "command")) { url in
            made.add(url)
            return Named(name: url)
        }
        #expect(made.urls == ["http://a/exec", "http://b/exec"])
    }

    final class Counter {
        var urls: [String] = []
        func add(_ url: String) { urls.append(url) }
    }
}
