import WebSocketTransport

/// A refusal in the socket held to PROTOCOL §3.4: `error` with the code, then the close code.
enum RefusalReview {
    struct Expected {
        let code: String
        let close: UInt16
        /// What the kit sent to be refused, for the report: "connect with protocol 2".
        let provocation: String
    }

    /// What the cloud did after the provocation, up to the close or the timeout.
    struct Observed: Equatable {
        var errorCodes: [String] = []
        var acceptedWithConnectAck = false
        /// nil when the connection was still open when the kit stopped waiting.
        var closure: WebSocketClosure?
        var waited: String = ""
    }

    static func judge(_ expected: Expected, _ observed: Observed) -> CheckOutcome {
        let wanted = "error \(expected.code) then close \(expected.close)"
        if observed.acceptedWithConnectAck {
            return .fail("sent \(expected.provocation), got connect_ack: the cloud accepted the session; expected \(wanted) (§3.4)")
        }
        let sawError = observed.errorCodes.contains(expected.code)
        let others = observed.errorCodes.filter { $0 != expected.code }
        guard let closure = observed.closure else {
            if sawError {
                return .fail("sent \(expected.provocation), got error \(expected.code) but no close within \(observed.waited); expected close \(expected.close) after it (§3.4)")
            }
            return .fail("sent \(expected.provocation), got \(errorsText(observed.errorCodes)) and no close within \(observed.waited); expected \(wanted) (§3.4)")
        }
        guard let code = closure.code else {
            return .fail("sent \(expected.provocation), got \(errorsText(observed.errorCodes)), then the connection was cut without a close frame (\(closure)); expected \(wanted) (§3.4)")
        }
        if !sawError {
            let what = others.isEmpty ? "no error frame" : errorsText(others)
            return .fail("sent \(expected.provocation), got \(what) and close \(code.rawValue); expected \(wanted) (§3.4): the error says why, the close code what the device does next")
        }
        guard code.rawValue == expected.close else {
            return .fail("sent \(expected.provocation), got error \(expected.code) and close \(code.rawValue); expected close \(expected.close) (§3.4, §6)")
        }
        return .pass("\(expected.provocation): error \(expected.code), then close \(expected.close)")
    }

    private static func errorsText(_ codes: [String]) -> String {
        codes.isEmpty ? "no error frame" : codes.map { "error \($0)" }.joined(separator: ", ")
    }
}
