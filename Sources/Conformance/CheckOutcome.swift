/// How one check ended. Each text is one sentence for the report: on a pass what was seen, on a
/// failure what was sent, what was expected and what arrived, on a skip why it could not be judged.
public enum CheckOutcome: Sendable, Equatable {
    case pass(String)
    case fail(String)
    /// The rule cannot be observed against this cloud; a skip never fails the run.
    case skip(String)

    public var status: String {
        switch self {
        case .pass: "pass"
        case .fail: "fail"
        case .skip: "skip"
        }
    }

    public var detail: String {
        switch self {
        case .pass(let text), .fail(let text), .skip(let text): text
        }
    }

    public var isFailure: Bool {
        if case .fail = self { return true }
        return false
    }
}

/// Thrown from anywhere inside a check to end it with `outcome`: checks read as a straight line of
/// steps, each of which may end the check with its own precise reason.
struct CheckStop: Error {
    let outcome: CheckOutcome

    static func fail(_ reason: String) -> CheckStop { CheckStop(outcome: .fail(reason)) }
    static func skip(_ reason: String) -> CheckStop { CheckStop(outcome: .skip(reason)) }
}

extension CheckOutcome {
    /// A pass's text, or the outcome thrown to end the check.
    func passOrThrow() throws(CheckStop) -> String {
        switch self {
        case .pass(let text): return text
        case .fail, .skip: throw CheckStop(outcome: self)
        }
    }
}
