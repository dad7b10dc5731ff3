/// The process exit codes, sysexits(3)-style so scripts can tell "fix your input" from "retry later"
/// from "fix the configuration". docs/cli.md lists them; changing one breaks scripts.
enum ExitStatus: Int32, Sendable {
    case ok = 0
    /// `outbox verify` found differences; `outbox salvage` could not bring every message back;
    /// `doctor` found a problem; `conformance` found a check the cloud fails.
    case differences = 1
    /// EX_USAGE: a bad flag or argument (ArgumentParser uses it too).
    case usage = 64
    /// EX_DATAERR: the input data is wrong (bad JSON, invalid payload).
    case dataError = 65
    /// EX_NOINPUT: no store at the data directory, or no such message / request.
    case noInput = 66
    /// EX_UNAVAILABLE: the store or data directory stayed locked by another process.
    case unavailable = 69
    /// EX_SOFTWARE: a bug.
    case software = 70
    /// EX_CANTCREAT: an output file or folder cannot be created.
    case cannotCreate = 73
    /// EX_IOERR: reading or writing storage failed (disk full included).
    case ioError = 74
    /// EX_TEMPFAIL: the outbox is full; retry once the cloud has acked.
    case tempFail = 75
    /// EX_CONFIG: a bad environment variable, an identity mismatch (R12), a schema too new.
    case configuration = 78
}
