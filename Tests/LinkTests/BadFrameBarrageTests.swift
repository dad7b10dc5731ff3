import ConnectorCore
import Foundation
import SocketTestSupport
import ReferenceCloud
import Testing

extension LinkSuites {
    /// Issue 5's live counterpart of the fuzzer: frames generated from the seed corpus — truncated,
    /// wrongly typed, invalid UTF-8, binary, over 1 MiB — sent at a connector while it delivers.
    @Suite("A barrage of bad frames at a live connector", .timeLimit(.minutes(2)))
    struct BadFrameBarrageTests {
        static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("FuzzCorpus/frames")

        /// Frames none of which the device may act on: every cut of a valid frame before its end,
        /// each with its payload or type of the wrong JSON type, and the corpus' own bad ones.
        static func generated() throws -> [String] {
            var frames: [String] = []
            let names = try FileManager.default.contentsOfDirectory(atPath: corpus.path).sorted()
            for name in names {
                // A text frame is UTF-8 by definition; invalid bytes cannot be sent as one.
                guard let decoded = String(validating: try Data(contentsOf: corpus.appendingPathComponent(name)), as: UTF8.self)
                else { continue }
                let text = decoded.trimmingCharacters(in: .whitespacesAndNewlines)
                if name.hasPrefix("bad_") {
                    frames.append(text)
                    continue
                }
                for cut in stride(from: 1, to: text.count - 1, by: max(text.count / 6, 1)) {
                    frames.append(String(text.prefix(cut)))
                }
                let listPayload = text.replacingOccurrences(of: #""payload":{"#, with: #""payload":["#)
                if listPayload != text { frames.append(listPayload) }
                if let range = text.range(of: #""type":""#) {
                    frames.append(text.replacingCharacters(in: range, with: #""type":7,"was":""#))
                }
            }
            return frames
        }

        @Test("generated malformed, truncated and wrongly typed frames: all logged and dropped, link up, nothing lost")
        func barrage() async throws {
            let frames = try Self.generated()
            #expect(frames.count >= 150, "the corpus should give many frames, got \(frames.count)")
            // The generator's promise, checked with the device's own decoder: none of these is a frame.
            let decodable = frames.filter { (try? InboundEnvelope.decode($0)) != nil }
            #expect(decodable.isEmpty, "\(decodable)")
            let harness = try await LinkHarness()
            let log = CapturedLog()
            let connector = RunningConnector.start(await harness.settings(), store: harness.store, logger: log.logger("connector"))
            try await eventually("the session") { (try harness.linkStatus()?.sessions ?? 0) == 1 }
            // Fewer than maxConsecutiveInvalidFrames in a row: a ping between chunks keeps the peer
            // from being cut off as one that only sends garbage (PROTOCOL §1 allows that).
            for (index, chunk) in stride(from: 0, to: frames.count, by: 40).map({ ($0, Array(frames[$0..<min($0 + 40, frames.count)])) }) {
                try await harness.cloud.sendRawText(chunk, to: testDevice)
                try await harness.cloud.send(["type": "ping", "payload": [:]], to: testDevice)
                try await harness.append(count: 10, seed: UInt64(100 + index))
            }
            try await harness.cloud.sendMalformed([.binary, .oversized], to: testDevice)
            let appended = Int64((frames.count + 39) / 40 * 10)
            try await eventually("every message acked") { try harness.backlog().ackedSeq == appended }
            let droppedCount = { log.all.filter { $0.message == "dropped a malformed frame from the cloud" }.count }
            let allLogged = await eventuallyTrue { droppedCount() >= frames.count + 2 }
            let others = log.all.filter { $0.level >= .info && $0.message != "dropped a malformed frame from the cloud" && $0.message != "sent" }
                .map { "\($0.message) \($0.metadata)" }
            #expect(allLogged && droppedCount() == frames.count + 2, "\(droppedCount()) of \(frames.count + 2) bad frames logged as dropped; other lines: \(others)")
            let status = try #require(try harness.linkStatus())
            #expect(status.connectAttempts == 1 && status.sessions == 1, "the link must have stayed up")
            #expect(try await harness.cloud.counts(deviceID: testDevice).messages == Int(appended))
            try await connector.stop()
            await harness.finish()
        }
    }
}

/// Polls `condition` for up to 30 s; whether it held.
private func eventuallyTrue(_ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + .seconds(30)
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}
