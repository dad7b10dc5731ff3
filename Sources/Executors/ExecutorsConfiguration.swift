/// Which executor runs a job.
public enum ExecutorRoute: Sendable, Hashable {
    /// A handler executable in the handlers directory.
    case command
    /// A local HTTP service at this URL.
    case http(url: String)
}

/// The executor for every job, with per-tool and per-playbook overrides (config.json's `executor`,
/// `tools` and `playbooks`).
public struct ExecutorsConfiguration: Sendable, Equatable {
    public var defaultRoute: ExecutorRoute
    /// Tool name → route.
    public var tools: [String: ExecutorRoute]
    /// Playbook code → route.
    public var playbooks: [String: ExecutorRoute]

    public init(
        defaultRoute: ExecutorRoute = .command, tools: [String: ExecutorRoute] = [:],
        playbooks: [String: ExecutorRoute] = [:]
    ) {
        self.defaultRoute = defaultRoute
        self.tools = tools
        self.playbooks = playbooks
    }

    public func route(for job: ExecutionJob) -> ExecutorRoute {
        let overrides = job.kind == .tool ? tools : playbooks
        return overrides[job.name] ?? defaultRoute
    }

    /// Every route in use, default first.
    public var routes: [ExecutorRoute] {
        var seen: Set<ExecutorRoute> = [defaultRoute]
        var all = [defaultRoute]
        for route in tools.values.sorted(by: Self.order) + playbooks.values.sorted(by: Self.order) where seen.insert(route).inserted {
            all.append(route)
        }
        return all
    }

    private static func order(_ lhs: ExecutorRoute, _ rhs: ExecutorRoute) -> Bool {
        switch (lhs, rhs) {
        case (.command, .http): true
        case (.http(let left), .http(let right)): left < right
        default: false
        }
    }
}
