import ConnectorCore

/// One row of `cloud-connector doctor`: which check, how it came out, and a message that says what
/// was found, why it matters and what to do. Messages never hold a secret value.
struct DoctorFinding: Sendable, Equatable {
    enum Status: String, Sendable, CaseIterable {
        /// Nothing to do.
        case ok
        /// Works today, but something is at risk or not as it should be.
        case warning
        /// The connector cannot do its job (or is unsafe) as things stand: exit 1.
        case problem
        /// Not checked, and the message says why (standalone, an earlier step failed, opt-in only).
        case skipped
    }

    /// A stable name for scripts: `data_dir`, `device_token`, `clock`, …
    let check: String
    let status: Status
    let message: String
    /// Measured values for scripts (`clock` → `skew_ms`); never a secret.
    var details: [(String, JSONValue)] = []

    static func == (lhs: DoctorFinding, rhs: DoctorFinding) -> Bool {
        lhs.check == rhs.check && lhs.status == rhs.status && lhs.message == rhs.message
    }

    static func ok(_ check: String, _ message: String, _ details: [(String, JSONValue)] = []) -> DoctorFinding {
        DoctorFinding(check: check, status: .ok, message: message, details: details)
    }

    static func warning(_ check: String, _ message: String, _ details: [(String, JSONValue)] = []) -> DoctorFinding {
        DoctorFinding(check: check, status: .warning, message: message, details: details)
    }

    static func problem(_ check: String, _ message: String, _ details: [(String, JSONValue)] = []) -> DoctorFinding {
        DoctorFinding(check: check, status: .problem, message: message, details: details)
    }

    static func skipped(_ check: String, _ message: String) -> DoctorFinding {
        DoctorFinding(check: check, status: .skipped, message: message)
    }

    var json: JSONValue {
        [
            "check": .string(check), "status": .string(status.rawValue), "message": .string(message),
            "details": .object(JSONObject(details)),
        ]
    }
}
