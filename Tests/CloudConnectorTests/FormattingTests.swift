@testable import CloudConnectorCLI
import ConnectorCore
import OutboxStore
import Testing

@Suite("Output formatting")
struct FormattingTests {
    @Test("micro-units become exact decimal strings, never via floating point", arguments: [
        (Int64(0), "0.00"), (12_500, "0.0125"), (3_000_000, "3.00"), (1_234_567, "1.234567"), (250, "0.00025"),
        (1, "0.000001"), (10_000_000_000_001, "10000000.000001"), (-1_500_000, "-1.50"), (Int64.max, "9223372036854.775807"),
    ])
    func microAmounts(micros: Int64, text: String) {
        #expect(MicroAmount.format(micros) == text)
    }

    @Test("CSV fields are quoted per RFC 4180 only when needed")
    func csvQuoting() {
        #expect(String(decoding: CSV.line(["plain", "a,b", "say \"hi\"", "two\nlines", ""]), as: UTF8.self)
            == "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\r\n")
    }

    @Test("the CloudEvents source is a valid URI-reference whatever the device id")
    func cloudEventSource() {
        #expect(UsageRecordEncoding.source(deviceID: "dev-1.a_b~c") == "cloud-connector/dev-1.a_b~c")
        #expect(UsageRecordEncoding.source(deviceID: "dev/1?x#y%") == "cloud-connector/dev%2F1%3Fx%23y%25")
    }

    @Test("every outbox error maps to its documented exit status")
    func exitStatuses() {
        let path = "/tmp/x"
        let cases: [(OutboxError, CloudConnectorCLI.ExitStatus)] = [
            (.schemaTooNew(storeVersion: 9, supportedVersion: 1, path: path), .configuration),
            (.identityMismatch(path: path, storeDevice: "a", storeTenant: "t", device: "b", tenant: "t"), .configuration),
            (.notAnOutbox(path: path), .configuration),
            (.invalidPayload(type: .usageReport, PayloadError(path: "payload", reason: "x")), .dataError),
            (.messageTooLarge(type: .executionEvent, bytes: 2, limit: 1), .dataError),
            (.outboxFull(heldBytes: 1, limitBytes: 1, unackedMessages: 1), .tempFail),
            (.storeBusy(path: path, detail: "locked"), .unavailable),
            (.corrupt(path: path, detail: "x"), .ioError),
            (.closed, .software),
        ]
        for (error, status) in cases {
            #expect(CLIFailure(error).status == status, "\(error)")
            #expect(CLIFailure(error).message == error.description)
        }
    }

    @Test("every salvage refusal maps to its documented exit status")
    func salvageExitStatuses() {
        let path = "/tmp/x"
        let mine = StoreIdentity(deviceID: "a", tenantID: "t")
        let cases: [(SalvageError, CloudConnectorCLI.ExitStatus)] = [
            (.missing(path: path), .noInput),
            (.unreadable(path: path, detail: "file is not a database"), .ioError),
            (.identityUnreadable(path: path, detail: "x"), .ioError),
            (.notAnOutbox(path: path), .configuration),
            (.otherDevice(path: path, source: StoreIdentity(deviceID: "b", tenantID: "t"), live: mine), .configuration),
            (.otherTenant(path: path, source: StoreIdentity(deviceID: "a", tenantID: "u"), live: mine), .configuration),
            (.sameStore(path: path), .dataError),
            (.ackCursorUnreadable(path: path), .dataError),
            (.workingCopy(path: path, reason: "disk full"), .cannotCreate),
        ]
        for (error, status) in cases {
            #expect(CLIFailure(error).status == status, "\(error)")
            #expect(CLIFailure(error).message == error.description)
        }
    }
}
