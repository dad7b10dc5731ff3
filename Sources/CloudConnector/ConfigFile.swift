import ConnectorCore
import Executors
import Foundation

/// `<data>/config.json`: what the work needs beyond the environment (issue 4 item 0). Every key is
/// optional; an unknown key is an error (a typo must not silently fall back to a default), and each
/// error names the key path and what is expected.
///
/// ```json
/// {
///   "executor": {"type": "command"},                    // or {"type": "http", "url": "http://127.0.0.1:8000/exec"}
///   "handlers_dir": "/var/lib/mindscape/handlers",      // default <data>/handlers
///   "tools": {"crm_update": {"type": "http", "url": "http://127.0.0.1:9000/crm"}},
///   "playbooks": {},
///   "max_concurrent_executions": 4,
///   "default_timeout_ms": 600000,
///   "inbox_retention": "30d",
///   "messaging": {"bindings": {"cfg-line-1": "ws-sales"}, "default_workspace": null, "agent_wait_ms": 30000,
///                 "handler": "reply-bot"},                // <handlers_dir>/tools/reply-bot answers when no agent does
///   "reload": {"command": "/usr/local/bin/reload-packs"},  // or {"url": "http://127.0.0.1:8000/reload"}
///   "local_api": {"host": "127.0.0.1", "port": 7410},
///   "link": {"reconnect_base_ms": 500, "reconnect_cap_ms": 60000}
/// }
/// ```
public struct ConfigFile: Sendable, Equatable {
    public enum ExecutorChoice: Sendable, Equatable {
        case command
        case http(url: String)
    }

    public enum ReloadAction: Sendable, Equatable {
        case command(String)
        case http(url: String)
    }

    public static let fileName = "config.json"

    public var executor: ExecutorChoice = .command
    public var handlersDirectory: String?
    public var tools: [String: ExecutorChoice] = [:]
    public var playbooks: [String: ExecutorChoice] = [:]
    public var maxConcurrentExecutions = 4
    public var defaultTimeoutMS: Int64 = 600_000
    public var inboxRetentionMS: Int64 = 30 * 86_400_000
    public var channelBindings: [String: String] = [:]
    public var defaultWorkspace: String?
    public var agentWaitMS: Int64 = 30_000
    /// The command handler `<handlers_dir>/tools/NAME` that answers a message when no agent of its
    /// workspace registered within `agentWaitMS`; nil = an `error` reply instead.
    public var messagingHandler: String?
    public var reload: ReloadAction?
    public var localAPIHost = "127.0.0.1"
    public var localAPIPort = 7410
    /// R10's reconnect backoff (full jitter below min(cap, base · 2ⁿ)); PROTOCOL's defaults. A site
    /// with a flaky uplink may want a lower cap; the torture runs use one so a fault every few seconds
    /// does not leave the link waiting a minute.
    public var reconnectBaseMS: Int64 = 500
    public var reconnectCapMS: Int64 = 60_000

    public init() {}

    /// The file in `directory`, or the defaults when there is none.
    public static func load(directory: String) throws(ConfigurationError) -> ConfigFile {
        let path = directory + "/" + fileName
        guard FileManager.default.fileExists(atPath: path) else { return ConfigFile() }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(.io, "cannot read \(path). Check its permissions.")
        }
        return try parse(Array(data), path: path)
    }

    public static func parse(_ bytes: [UInt8], path: String) throws(ConfigurationError) -> ConfigFile {
        let root: JSONObject
        do {
            guard case .object(let object) = try JSON.parse(bytes) else {
                throw ConfigurationError(.invalidSetting, "\(path) must hold one JSON object.")
            }
            root = object
        } catch let error as ConfigurationError {
            throw error
        } catch {
            throw ConfigurationError(.invalidSetting, "\(path) is not valid JSON (\(error)). Fix it, or move it away to use the defaults.")
        }
        var reader = ConfigReader(path: path)
        return try reader.read(root)
    }
}

/// The walk over the file, with the key path for errors.
struct ConfigReader {
    let path: String

    func fail(_ key: String, _ reason: String) -> ConfigurationError {
        ConfigurationError(.invalidSetting, "\(path): \(key) \(reason)")
    }

    mutating func read(_ root: JSONObject) throws(ConfigurationError) -> ConfigFile {
        var config = ConfigFile()
        let known = [
            "executor", "handlers_dir", "tools", "playbooks", "max_concurrent_executions", "default_timeout_ms",
            "inbox_retention", "messaging", "reload", "local_api", "link",
        ]
        try checkKeys(root, known, at: "")
        if let value = root["executor"] { config.executor = try executor(value, at: "executor") }
        if let value = root["handlers_dir"] { config.handlersDirectory = try string(value, at: "handlers_dir") }
        if let value = root["tools"] { config.tools = try routes(value, at: "tools") }
        if let value = root["playbooks"] { config.playbooks = try routes(value, at: "playbooks") }
        if let value = root["max_concurrent_executions"] {
            config.maxConcurrentExecutions = Int(try whole(value, at: "max_concurrent_executions", in: 1...256))
        }
        if let value = root["default_timeout_ms"] {
            config.defaultTimeoutMS = try whole(value, at: "default_timeout_ms", in: 1...(7 * 86_400_000))
        }
        if let value = root["inbox_retention"] {
            let text = try string(value, at: "inbox_retention")
            guard let ms = DurationText.parseMilliseconds(text), ms >= 86_400_000 else {
                throw fail("inbox_retention", "must be a duration of at least 1d such as 30d, not \"\(text)\" (it must outlast any cloud redelivery).")
            }
            config.inboxRetentionMS = ms
        }
        if let value = root["messaging"] {
            let object = try self.object(value, at: "messaging")
            try checkKeys(object, ["bindings", "default_workspace", "agent_wait_ms", "handler"], at: "messaging.")
            if let bindings = object["bindings"] {
                for (key, value) in try self.object(bindings, at: "messaging.bindings") {
                    config.channelBindings[key] = try string(value, at: "messaging.bindings.\(key)")
                }
            }
            if let value = object["default_workspace"], !value.isNull {
                config.defaultWorkspace = try string(value, at: "messaging.default_workspace")
            }
            if let value = object["agent_wait_ms"] {
                config.agentWaitMS = try whole(value, at: "messaging.agent_wait_ms", in: 0...3_600_000)
            }
            if let value = object["handler"], !value.isNull {
                let name = try string(value, at: "messaging.handler")
                if let problem = HandlerNameRules.problem(with: name) {
                    throw fail(
                        "messaging.handler",
                        "must be a handler file name in handlers_dir/tools (A-Z a-z 0-9 . _ -, not starting with a dot): \"\(name)\" \(problem).")
                }
                config.messagingHandler = name
            }
        }
        if let value = root["reload"], !value.isNull {
            let object = try self.object(value, at: "reload")
            try checkKeys(object, ["command", "url"], at: "reload.")
            switch (object["command"], object["url"]) {
            case (let command?, nil): config.reload = .command(try string(command, at: "reload.command"))
            case (nil, let url?): config.reload = .http(url: try httpURL(url, at: "reload.url"))
            default: throw fail("reload", "must have exactly one of command or url.")
            }
        }
        if let value = root["local_api"] {
            let object = try self.object(value, at: "local_api")
            try checkKeys(object, ["host", "port"], at: "local_api.")
            if let host = object["host"] { config.localAPIHost = try string(host, at: "local_api.host") }
            if let port = object["port"] { config.localAPIPort = Int(try whole(port, at: "local_api.port", in: 0...65_535)) }
        }
        if let value = root["link"] {
            let object = try self.object(value, at: "link")
            try checkKeys(object, ["reconnect_base_ms", "reconnect_cap_ms"], at: "link.")
            if let base = object["reconnect_base_ms"] {
                config.reconnectBaseMS = try whole(base, at: "link.reconnect_base_ms", in: 10...60_000)
            }
            if let cap = object["reconnect_cap_ms"] {
                config.reconnectCapMS = try whole(cap, at: "link.reconnect_cap_ms", in: 100...3_600_000)
            }
            guard config.reconnectCapMS >= config.reconnectBaseMS else {
                throw fail("link.reconnect_cap_ms", "must be at least link.reconnect_base_ms (\(config.reconnectBaseMS)).")
            }
        }
        return config
    }

    func checkKeys(_ object: JSONObject, _ known: [String], at prefix: String) throws(ConfigurationError) {
        for key in object.keys where !known.contains(key) {
            throw fail(prefix + key, "is not a setting (known here: \(known.joined(separator: ", "))).")
        }
    }

    func object(_ value: JSONValue, at key: String) throws(ConfigurationError) -> JSONObject {
        guard case .object(let object) = value else { throw fail(key, "must be an object.") }
        return object
    }

    func string(_ value: JSONValue, at key: String) throws(ConfigurationError) -> String {
        guard case .string(let text) = value, !text.isEmpty else { throw fail(key, "must be a non-empty string.") }
        return text
    }

    func whole(_ value: JSONValue, at key: String, in range: ClosedRange<Int64>) throws(ConfigurationError) -> Int64 {
        guard case .number(let number) = value, let whole = number.int64, range.contains(whole) else {
            throw fail(key, "must be a whole number from \(range.lowerBound) to \(range.upperBound).")
        }
        return whole
    }

    func httpURL(_ value: JSONValue, at key: String) throws(ConfigurationError) -> String {
        let text = try string(value, at: key)
        guard let url = URLComponents(string: text), ["http", "https"].contains(url.scheme?.lowercased() ?? ""),
            url.host?.isEmpty == false
        else { throw fail(key, "must be an http:// or https:// URL with a host, not \"\(text)\".") }
        return text
    }

    func executor(_ value: JSONValue, at key: String) throws(ConfigurationError) -> ConfigFile.ExecutorChoice {
        let object = try self.object(value, at: key)
        try checkKeys(object, ["type", "url"], at: key + ".")
        switch object["type"] {
        case .string("command")?:
            guard object["url"] == nil else { throw fail(key + ".url", "only applies to type http.") }
            return .command
        case .string("http")?:
            guard let url = object["url"] else { throw fail(key + ".url", "is required for type http.") }
            return .http(url: try httpURL(url, at: key + ".url"))
        default:
            throw fail(key + ".type", "must be \"command\" or \"http\".")
        }
    }

    func routes(_ value: JSONValue, at key: String) throws(ConfigurationError) -> [String: ConfigFile.ExecutorChoice] {
        var routes: [String: ConfigFile.ExecutorChoice] = [:]
        for (name, choice) in try object(value, at: key) {
            routes[name] = try executor(choice, at: "\(key).\(name)")
        }
        return routes
    }
}
