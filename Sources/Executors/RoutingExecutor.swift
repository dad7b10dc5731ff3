/// Runs each job on the executor its route names (`ExecutorsConfiguration`). One executor per
/// distinct route is made up front, so every job for the same URL shares one `HTTPExecutor`.
public struct RoutingExecutor: Executor {
    public let configuration: ExecutorsConfiguration
    private let executors: [ExecutorRoute: any Executor]

    /// `command` runs `.command` routes; `http` makes the executor for each distinct URL, e.g.
    /// `{ HTTPExecutor(url: $0, loop: loop) }`.
    public init(
        configuration: ExecutorsConfiguration, command: any Executor, http: (_ url: String) -> any Executor
    ) {
        self.configuration = configuration
        var executors: [ExecutorRoute: any Executor] = [:]
        for route in configuration.routes {
            switch route {
            case .command: executors[route] = command
            case .http(let url): executors[route] = http(url)
            }
        }
        self.executors = executors
    }

    public func execute(_ job: ExecutionJob, output: @escaping @Sendable (ExecutorOutput) -> Void) async -> ExecutorOutcome {
        let route = configuration.route(for: job)
        guard let executor = executors[route] else {
            // Unreachable: every route of the configuration got an executor in init.
            return ExecutorFailure(code: ExecutorErrorCode.executorUnavailable, message: "no executor for \(route)").outcome
        }
        return await executor.execute(job, output: output)
    }
}
