import CloudConnector
import Conformance
import ConnectorCore
import Foundation
import Testing

extension LinkSuites {
    /// A cloud written in Python from PROTOCOL.md alone (tools/python-cloud, websockets 10.4): the
    /// connector must need nothing of our own Swift reference cloud to deliver to it.
    @Suite("Interop with a cloud that is not Swift", .timeLimit(.minutes(2)))
    struct InteropTests {
        static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("tools/python-cloud/cloud.py").path

        @Test("the connector delivers to the Python cloud: every message once, in order, with heartbeats")
        func deliversToPythonCloud() async throws {
            let harness = try await LinkHarness()
            let statePath = harness.directory + "/python-state.json"
            let cloud = try PythonCloud(script: Self.script, statePath: statePath, logPath: harness.directory + "/python.log")
            let (ws, api) = try await cloud.ready()
            try await harness.append(count: 300, batch: 20)
            let connector = RunningConnector.start(quickSettings(url: ws, apiURL: api), store: harness.store)
            try await eventually("every message acked by the Python cloud") {
                let backlog = try harness.backlog()
                return backlog.ackedSeq == 300 && backlog.pending == 0
            }
            try await harness.append(count: 50, seed: 3)
            try await eventually("live appends acked too") { try harness.backlog().ackedSeq == 350 }
            // Heartbeats every 300 ms, each answered, keep the link up across a quiet second.
            try await Task.sleep(for: .seconds(1))
            try await connector.stop()

            let state = try cloud.state()
            let device = try #require(state["devices"]?[testDevice], "\(state)")
            #expect(device["messages"]?.numberValue?.literal == "350")
            #expect(device["duplicates"]?.numberValue?.literal == "0")
            #expect(device["acked_seq"]?.numberValue?.literal == "350")
            #expect(device["seqs_in_order"] == .bool(true))
            #expect(Int(state["heartbeats"]?.numberValue?.literal ?? "0") ?? 0 >= 2)
            #expect(try harness.linkStatus()?.sessions == 1, "the Python cloud never dropped the link")
            #expect(try await cloud.stop() == 0, "\(cloud.log)")
            await harness.finish()
        }

        /// The conformance kit is not tailored to our reference cloud: a cloud written from
        /// PROTOCOL.md alone passes it. It has no counts endpoint, so the counting check is skipped
        /// as not observable on the wire, and a skip is no failure.
        @Test("the conformance kit passes against the Python cloud, counting skipped")
        func conformanceKitPassesAgainstPythonCloud() async throws {
            let directory = NSTemporaryDirectory() + "conformance-python-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let cloud = try PythonCloud(script: Self.script, statePath: directory + "/state.json", logPath: directory + "/python.log")
            let (ws, api) = try await cloud.ready()
            let endpoint = try #require(try CloudEndpoint.parse(environment: ["CLOUD_WS_URL": ws, "CLOUD_API_URL": api]))
            let runner = ConformanceRunner(
                configuration: ConformanceConfiguration(endpoint: endpoint, tenantID: "interop", timeout: .seconds(10)),
                logger: testLogger("conformance"))
            let results = try await runner.run()
            #expect(try await cloud.stop() == 0, "\(cloud.log)")
            for result in results where result.id != "R6.counted-once" {
                #expect(result.outcome.status == "pass", "\(result.id): \(result.outcome.detail)")
            }
            let counting = try #require(results.first { $0.id == "R6.counted-once" })
            #expect(counting.outcome.status == "skip")
            #expect(counting.outcome.detail.contains("not observable on the wire"), "\(counting.outcome.detail)")
            #expect(!results.contains { $0.outcome.isFailure })
        }
    }
}

/// `tools/python-cloud/cloud.py` as a child process.
final class PythonCloud {
    let process = Process()
    let statePath: String
    let logPath: String
    let outPath: String

    init(script: String, statePath: String, logPath: String) throws {
        self.statePath = statePath
        self.logPath = logPath
        outPath = logPath + ".out"
        let python = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "python3"
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, script, "--port", "0", "--state-file", statePath, "--heartbeat-ms", "300"]
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        try process.run()
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// The URLs from its `READY ws=… api=…` line.
    func ready() async throws -> (ws: String, api: String) {
        var found: (String, String)?
        try await eventually(timeout: .seconds(20), "the Python cloud's READY line") {
            let out = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
            guard let line = out.split(separator: "\n").first(where: { $0.hasPrefix("READY ") }) else {
                if !process.isRunning { throw PythonCloudFailed(log: log) }
                return false
            }
            let fields = Dictionary(
                line.split(separator: " ").dropFirst().compactMap { part -> (String, String)? in
                    let pair = part.split(separator: "=", maxSplits: 1)
                    return pair.count == 2 ? (String(pair[0]), String(pair[1])) : nil
                }, uniquingKeysWith: { first, _ in first })
            guard let ws = fields["ws"], let api = fields["api"] else { return false }
            found = (ws, api)
            return true
        }
        return found!
    }

    func state() throws -> JSONValue {
        try JSON.parse(Array(try Data(contentsOf: URL(fileURLWithPath: statePath))))
    }

    func stop() async throws -> Int32 {
        process.terminate()
        try await eventually(timeout: .seconds(10), "the Python cloud to exit") { !process.isRunning }
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

struct PythonCloudFailed: Error, CustomStringConvertible {
    let log: String
    var description: String { "the Python cloud exited early:\n\(log)" }
}
