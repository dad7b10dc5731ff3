internal import CWebSockets
import Foundation
public import Logging

/// Routes libwebsockets' own log lines (errors and warnings only) into swift-log. lws logging is
/// process-wide, so there is one destination for all event loops.
public enum LibwebsocketsLog {
    /// Sends lws log lines to `logger` from now on. Until called, the first event loop's logger
    /// is used.
    public static func route(to logger: Logger) {
        LogBridge.shared.install(logger, replacing: true)
    }
}

/// The destination of lws log lines; the emit function below runs on whichever service thread
/// logs, so the logger sits behind a lock.
final class LogBridge: @unchecked Sendable {  // @unchecked: `logger` is only touched under `lock`.
    static let shared = LogBridge()

    private let lock = NSLock()
    private var logger: Logger?

    private init() {
        // Set once: lws reads its emit pointer without synchronisation on every service thread.
        lws_set_log_level(cws_log_levels_warn_err(), lwsLogEmit)
    }

    func install(_ logger: Logger, replacing: Bool) {
        lock.withLock {
            if replacing || self.logger == nil { self.logger = logger }
        }
    }

    fileprivate func emit(level: Int32, line: String) {
        guard let logger = lock.withLock({ logger }) else { return }
        let text = Self.redacted(line.trimmingCharacters(in: .whitespacesAndNewlines))
        let swiftLevel: Logger.Level = (level & LLL_ERR) != 0 ? .error : .warning
        // The line is libwebsockets' own words: metadata, so the message stays one searchable constant.
        logger.log(level: swiftLevel, "libwebsockets reported", metadata: ["component": "libwebsockets", "lws.line": "\(text)"])
    }

    /// lws may quote request or response lines in errors; a line that could hold a credential is
    /// withheld whole rather than risk echoing a header value.
    static func redacted(_ line: String) -> String {
        let lowered = line.lowercased()
        let sensitive = ["authorization", "bearer", "token", "cookie", "x-api-key"]
        return sensitive.contains(where: lowered.contains) ? "[libwebsockets log line withheld: may contain credentials]" : line
    }
}

private func lwsLogEmit(_ level: Int32, _ line: UnsafePointer<CChar>?) {
    guard let line else { return }
    LogBridge.shared.emit(level: level, line: String(cString: line))
}
