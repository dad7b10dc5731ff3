import Foundation
import Synchronization
import Testing
import FaultProxy

/// Every suite that opens sockets nests here, so they run one at a time and their timings do not
/// disturb one another.
@Suite(.serialized) struct FaultProxyTests {}

/// Generous: tests wait for liveness, never assert speed.
let patience: Duration = .seconds(60)

/// Polls `condition` until it holds or `timeout` passes.
func eventually(timeout: Duration = patience, _ condition: () -> Bool) -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        Thread.sleep(forTimeInterval: 0.01)
    }
    return condition()
}

func sleepFor(_ duration: Duration) {
    Thread.sleep(forTimeInterval: Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
}

/// Runs `body` with an echo server and a proxy in front of it, and always stops both.
func withEchoProxy<T>(_ body: (FaultProxy, EchoServer) throws -> T) throws -> T {
    let echo = try EchoServer()
    defer { echo.stop() }
    let proxy = try FaultProxy(upstreamPort: echo.port)
    defer { proxy.stop() }
    return try body(proxy, echo)
}

/// Bytes from a seeded generator, so a failure can be replayed.
func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
    var generator = TestRandom(seed: seed)
    var bytes = [UInt8](repeating: 0, count: count)
    for index in stride(from: 0, to: count, by: 8) {
        let word = generator.next()
        for offset in 0..<min(8, count - index) { bytes[index + offset] = UInt8(truncatingIfNeeded: word >> (8 * offset)) }
    }
    return bytes
}

/// xorshift64*: the tests' own seeded generator, independent of the one under test.
struct TestRandom: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed | 1 }
    mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 2_685_821_657_736_338_717
    }
}

/// Runs `body` on its own thread (a blocking writer beside a blocking reader); `wait` returns
/// whether it finished in time and succeeded.
final class Background: Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let succeeded = Mutex(false)

    init(_ body: @escaping @Sendable () throws -> Void) {
        Thread.detachNewThread { [self] in
            let ok = (try? body()) != nil
            succeeded.withLock { $0 = ok }
            done.signal()
        }
    }

    func wait(timeout: Duration = patience) -> Bool {
        guard done.wait(timeout: .now() + .seconds(Int(timeout.components.seconds))) == .success else { return false }
        return succeeded.withLock { $0 }
    }
}

/// Names of this process's threads, as /proc shows them.
func threadNames() -> [String] {
    let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
    return tasks.compactMap { task in
        (try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// Sends `bytes` through the echo behind `proxy` on a new connection and reads them back.
func echoThrough(_ proxy: FaultProxy, _ bytes: [UInt8]) throws -> [UInt8] {
    let client = try Client.connect(port: proxy.port)
    defer { client.close() }
    let writer = Background { try client.send(bytes) }
    let received = try client.receive(count: bytes.count)
    #expect(writer.wait())
    return received
}
