import WebSocketTransport

/// PROTOCOL §1 and R15 on the cloud side: after a bad frame the cloud logs and drops it and keeps
/// going, so the next outbox message (the probe) is acked; it may instead close with 4400. An
/// unknown `type` is no error at all: only "keeps going" passes.
enum BadFrameReview {
    enum After: Equatable {
        /// The probe was acked and the connection is open.
        case probeAcked
        case closed(WebSocketClosure)
        /// Neither within the wait.
        case silent
    }

    /// nil when the cloud behaved; otherwise the failure. `sent` names the bad frame.
    static func judge(sent: String, probeSeq: Int64, closeAllowed: Bool, after: After, waited: String) -> String? {
        switch after {
        case .probeAcked:
            return nil
        case .closed(let closure) where closeAllowed && closure.code?.rawValue == 4400:
            return nil
        case .closed(let closure):
            let expected =
                closeAllowed
                ? "expected the frame dropped and the connection kept (or closed with 4400)" : "expected it ignored and the connection kept"
            let how = closure.code.map { "closed the connection with \($0.rawValue)" } ?? "cut the connection without a close frame"
            return "sent \(sent) then seq \(probeSeq); the cloud \(how) (\(closure)); \(expected) (\(closeAllowed ? "§1, R15" : "§1"))"
        case .silent:
            return "sent \(sent) then seq \(probeSeq); no ack of seq \(probeSeq) and no close within \(waited): the connection did not stay usable (\(closeAllowed ? "§1, R15" : "§1"))"
        }
    }

    /// The outcome text of a check that passed: which of the allowed reactions the cloud chose.
    static func passText(sent: String, probeSeq: Int64, closeAllowed: Bool, after: After) -> String {
        switch after {
        case .closed: "\(sent): closed with 4400, and a new connection works"
        case .probeAcked, .silent:
            "\(sent): \(closeAllowed ? "dropped" : "ignored"), the connection kept (seq \(probeSeq) acked), and a new connection works"
        }
    }
}
