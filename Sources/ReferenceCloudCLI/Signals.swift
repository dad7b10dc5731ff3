import Dispatch
import Foundation

/// The first of some signals: the default handlers are replaced so the cloud can close its links
/// with 1001 and checkpoint its store instead of dying mid-commit. Install before announcing
/// readiness: a script that signals right after reading the URLs must not find the default handler.
final class Signals {
    private let stream: AsyncStream<Int32>
    private let sources: [any DispatchSourceSignal]

    init(_ signals: [Int32]) {
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        self.stream = stream
        sources = signals.map { number -> any DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
    }

    deinit { sources.forEach { $0.cancel() } }

    func next() async -> Int32 {
        for await number in stream { return number }
        return 0
    }
}
