import Foundation
import Testing
import WebSocketTransport

extension TransportSocketTests {
    @Suite struct MessageTests {
        @Test func thousandsOfMessagesFromEightThreadsArriveInPerThreadOrder() async throws {
            try await withLoop { loop in
                let pair = try await connectedPair(loop)
                let threads = 8
                let perThread = 1_000
                for thread in 0..<threads {
                    let client = pair.client
                    Thread.detachNewThread {
                        for n in 0..<perThread {
                            // The queue is bounded; a full queue is backpressure, so retry.
                            while (try? client.send(text: "\(thread):\(n)")) == nil { usleep(1_000) }
                        }
                    }
                }
                #expect(await pair.serverLog.waitForTexts(threads * perThread))
                var next = [Int](repeating: 0, count: threads)
                for text in await pair.serverLog.texts {
                    let parts = text.split(separator: ":").compactMap { Int($0) }
                    try #require(parts.count == 2)
                    #expect(parts[1] == next[parts[0]], "thread \(parts[0]) out of order")
                    next[parts[0]] = parts[1] + 1
                }
                #expect(next == [Int](repeating: perThread, count: threads))
            }
        }

        @Test func fragmentedMessageIsReassembled() async throws {
            try await withLoop { loop in
                let pair = try await connectedPair(loop)
                try pair.client.sendRaw(.fragmentedText(["{\"type\":", "\"heart", "beat\"}"]))
                try pair.client.send(text: "after")
                #expect(await pair.serverLog.waitForTexts(2))
                #expect(await pair.serverLog.texts == ["{\"type\":\"heartbeat\"}", "after"])
            }
        }

        @Test func exactlyOneMebibyteIsDeliveredAndOneMoreByteIsReportedOversized() async throws {
            try await withLoop { loop in
                let pair = try await connectedPair(loop)
                let limit = 1 << 20
                try pair.client.send(text: String(repeating: "a", count: limit))
                try pair.client.send(text: String(repeating: "b", count: limit + 1))
                try pair.client.send(text: "still usable")
                #expect(await pair.serverLog.waitForTexts(2))
                let events = await pair.serverLog.events.filter { $0 != .opened }
                try #require(events.count == 3)
                #expect(events[0] == .text(String(repeating: "a", count: limit)))
                #expect(events[1] == .oversized(byteCount: limit + 1, isBinary: false))
                #expect(events[2] == .text("still usable"))

                // The other direction, through the client's receive path.
                try pair.accepted.send(text: String(repeating: "c", count: limit + 1))
                try pair.accepted.send(text: "client still usable")
                #expect(await pair.clientLog.waitForTexts(1))
                #expect(await pair.clientLog.events.filter { $0 != .opened } == [
                    .oversized(byteCount: limit + 1, isBinary: false), .text("client still usable"),
                ])
            }
        }

        @Test func binaryFrameIsSurfacedAsBinary() async throws {
            try await withLoop { loop in
                let pair = try await connectedPair(loop)
                try pair.client.sendRaw(.binary([1, 2, 3, 4, 5]))
                try pair.client.send(text: "text after binary")
                #expect(await pair.serverLog.waitForTexts(1))
                #expect(await pair.serverLog.events == [.opened, .binary(byteCount: 5), .text("text after binary")])
            }
        }

        @Test func pingIsAnsweredWithPong() async throws {
            try await withLoop { loop in
                let pair = try await connectedPair(loop)
                try pair.client.sendRaw(.ping([7]))
                #expect(await pair.clientLog.wait { $0.contains(.pong) })
            }
        }

        @Test func prioritySendOvertakesQueuedLargeMessages() async throws {
            try await withLoop { loop in
                let pair = try await connectedPair(loop)
                let large = 48
                let payload = String(repeating: "r", count: 256 * 1024)
                for n in 0..<large { try pair.client.send(text: "\(n):" + payload) }
                try pair.client.send(text: "heartbeat", priority: .high)
                // Whatever is still queued now (the heartbeat aside) must arrive after the heartbeat.
                let queuedAfter = pair.client.sendQueueStatus.messages
                #expect(await pair.serverLog.waitForTexts(large + 1))
                let texts = await pair.serverLog.texts
                let position = try #require(texts.firstIndex(of: "heartbeat"))
                #expect(queuedAfter > 1, "the large messages drained before the heartbeat was queued")
                #expect(texts.count - 1 - position >= queuedAfter - 1)
                #expect(texts.filter { $0 != "heartbeat" }.map { $0.prefix(while: { $0 != ":" }) }
                    == (0..<large).map { Substring(String($0)) })
            }
        }

        @Test func sendQueueRefusesWhatExceedsItsBoundAndDrains() async throws {
            try await withLoop { loop in
                let pair = try await connectedPair(loop) { client in
                    client.sendQueueLimits = SendQueueLimits(maxMessages: 100, maxBytes: 512 * 1024)
                }
                #expect(throws: WebSocketSendError.queueFull(queuedMessages: 0, queuedBytes: 0)) {
                    try pair.client.send(text: String(repeating: "x", count: 512 * 1024 + 1))
                }
                for _ in 0..<20 { try pair.client.send(text: String(repeating: "y", count: 16 * 1024)) }
                await pair.client.waitForSendQueue(atMostBytes: 0)
                #expect(pair.client.sendQueueStatus == SendQueueStatus(messages: 0, bytes: 0))
                #expect(await pair.serverLog.waitForTexts(20))
            }
        }
    }
}
