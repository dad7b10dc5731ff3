import ConnectorCore
import Foundation
import Glibc

/// Everything a run writes, under one fresh temporary directory: the cloud's and the device's data
/// directories, the command handlers, and every child's output. Kept when a run fails (its path
/// is printed), removed when it passes.
struct Workspace: Sendable {
    let root: String

    var cloudData: String { root + "/cloud" }
    var deviceData: String { root + "/device" }
    var handlers: String { root + "/handlers" }
    var logs: String { root + "/logs" }
    var home: String { root + "/home" }

    static func create() throws -> Workspace {
        let base = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((base + "/link-torture.XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw TortureError(description: "cannot create a temporary directory under \(base): \(String(cString: strerror(errno)))")
        }
        let workspace = Workspace(root: String(cString: made))
        for folder in [workspace.cloudData, workspace.deviceData, workspace.logs, workspace.home, workspace.handlers] {
            try FileManager.default.createDirectory(
                atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        return workspace
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }

    /// The connector's config.json: the local API on a free port (the driver reads which from the
    /// log), handlers here, and a short reconnect backoff. With R10's defaults (0.5 s base, 60 s cap,
    /// reset only after 30 s up) a fault every few seconds soon leaves the link waiting up to a
    /// minute per attempt: the runs would mostly measure backoff, and faults would hit a link that
    /// is down anyway. The backoff's logic is the same; only its constants are smaller.
    func writeConnectorConfig(reconnectBaseMS: Int, reconnectCapMS: Int) throws {
        let config: JSONValue = [
            "local_api": ["host": "127.0.0.1", "port": 0],
            "handlers_dir": .string(handlers),
            "max_concurrent_executions": 4,
            "default_timeout_ms": 30_000,
            "link": ["reconnect_base_ms": .number(JSONNumber(Int64(reconnectBaseMS))),
                     "reconnect_cap_ms": .number(JSONNumber(Int64(reconnectCapMS)))],
        ]
        try Data(JSON.encode(config)).write(to: URL(fileURLWithPath: deviceData + "/config.json"))
    }

    /// Small shell handlers in the vocabulary of Sources/Executors/CommandExecutor.swift. `work` and
    /// the playbook `flow` report progress and usage and take `inputs.pause_s` seconds, so a kill
    /// often finds some running; `fail` always fails.
    func writeHandlers() throws {
        let pausing = """
            input=$(cat)
            pause=$(printf '%s' "$input" | sed -n 's/.*"pause_s": *"\\([0-9.]*\\)".*/\\1/p')
            echo '{"type":"progress","progress":0.25,"message":"started"}'
            sleep "${pause:-0.2}"
            echo '{"type":"progress","progress":0.75}'
            echo '{"type":"usage","token_usage":{"prompt_tokens":12,"completion_tokens":30,"total_tokens":42},"cost_estimate":{"amount":0.0042,"currency":"USD"},"model":"torture-1"}'
            echo '{"type":"result","result":{"ok":true}}'
            """
        try handler("tools", "work", pausing)
        try handler("playbooks", "flow", pausing)
        try handler("tools", "fail", """
            cat > /dev/null
            sleep 0.1
            echo '{"type":"error","code":"torture_planned_failure","message":"this handler always fails","retryable":false}'
            """)
    }

    private func handler(_ kind: String, _ name: String, _ body: String) throws {
        let folder = handlers + "/" + kind
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let path = folder + "/" + name
        try ("#!/bin/sh\n" + body + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        // The executor refuses handlers others could have written.
        chmod(path, 0o700)
    }

    /// The last `count` lines of a child's output file, for an error message.
    func tail(_ path: String, lines count: Int = 15) -> String {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(count).joined(separator: "\n")
    }
}
