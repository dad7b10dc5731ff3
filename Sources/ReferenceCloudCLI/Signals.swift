import Dispatch
import Foundation

/// Waits for the first of some signals: the default handlers are replaced so the cloud can close its
/// links with 1001 and checkpoint its store instead of dying mid-commit.
enum Signals {
    static func next(_ signals: [Int32]) async -> Int32 {
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        let sources = signals.map { number -> any DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
        defer { sources.forEach { $0.cancel() } }
        for await number in stream { return number }
        return 0
    }
}
