import CloudConnector
import LocalAPI
import ConnectorCore
import OutboxStore

/// A command failed: one sentence for stderr (what failed, why, what to do) and the exit status.
struct CLIFailure: Error, Sendable {
    let status: ExitStatus
    let message: String

    init(_ status: ExitStatus, _ message: String) {
        self.status = status
        self.message = message
    }

    /// Whatever a command threw, as the status and sentence the user gets.
    init(_ error: any Error) {
        switch error {
        case let failure as CLIFailure:
            self = failure
        case let error as OutboxError:
            self.init(Self.status(of: error), error.description)
        case let error as SalvageError:
            self.init(Self.status(of: error), error.description)
        case let error as ConfigurationError:
            self.init(Self.status(of: error), error.message)
        case let error as LocalTokenError:
            self.init(.configuration, "\(error)")
        case let error as LocalAPIError:
            self.init(.unavailable, "\(error)")
        case let error as JSONParseError:
            self.init(.dataError, "the input is not valid JSON (\(error)). Nothing was written.")
        default:
            self.init(.software, "internal error: \(error). Please report it.")
        }
    }

    static func status(of error: OutboxError) -> ExitStatus {
        switch error {
        case .schemaTooNew, .notAnOutbox, .identityMismatch: .configuration
        case .invalidPayload, .messageTooLarge, .tenantMismatch, .duplicateConflict: .dataError
        case .outboxFull: .tempFail
        case .storeBusy: .unavailable
        case .storage, .corrupt, .unitRejected: .ioError
        case .archiveFailed: .cannotCreate
        case .migrationEdited, .closed: .software
        }
    }

    static func status(of error: SalvageError) -> ExitStatus {
        switch error {
        case .missing: .noInput
        case .unreadable, .identityUnreadable: .ioError
        case .notAnOutbox, .otherTenant, .otherDevice: .configuration
        case .sameStore, .ackCursorUnreadable: .dataError
        case .workingCopy: .cannotCreate
        }
    }

    static func status(of error: ConfigurationError) -> ExitStatus {
        switch error.kind {
        case .invalidSetting, .identity: .configuration
        case .cannotCreate: .cannotCreate
        case .io: .ioError
        case .locked: .unavailable
        }
    }
}
