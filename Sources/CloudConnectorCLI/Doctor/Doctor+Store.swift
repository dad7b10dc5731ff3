import CloudConnector
import ConnectorCore
import Foundation
import OutboxStore

/// The device identity and the store, read without migrating or locking anything.
extension Doctor {
    var storePath: String? { dataDirectory?.file(OutboxStore.fileName) }

    mutating func inspectStore() {
        guard let dataDirectory, let storePath else { return }
        storeExists = FileManager.default.fileExists(atPath: storePath)
        guard storeExists else { return }
        do {
            inspection = try StoreInspection.inspect(directory: dataDirectory.path)
        } catch {
            inspectionError = error
        }
    }

    mutating func checkIdentity() {
        guard let configuration else {
            add(.skipped("identity", "Not checked: DEVICE_ID and TENANT_ID are only judged once the configuration above is fixed."))
            return
        }
        guard let dataDirectory else {
            identity = configuration.deviceIDOverride.map {
                DeviceIdentity(deviceID: $0, tenantID: configuration.tenantID, source: .environment)
            }
            add(.ok(
                "identity",
                configuration.deviceIDOverride.map { "Device \($0) (DEVICE_ID), tenant \(configuration.tenantID); there is no data directory yet." }
                    ?? "No device id yet: `run` creates <data>/device_id with a new id at its first start (`cloud-connector device` creates and shows it now, to register it with the cloud)."))
            return
        }
        let identity: DeviceIdentity?
        do {
            identity = try DeviceIdentity.resolve(configuration: configuration, directory: dataDirectory, createIfMissing: false)
        } catch {
            add(.problem("identity", "\(error.message) `run` refuses to start until it is resolved (exit 78)."))
            return
        }
        let owner = inspection?.owner
        self.identity = identity
        guard let identity else {
            if storeExists {
                let was = owner.map { " (it belongs to device \($0.deviceID) in tenant \($0.tenantID))" } ?? ""
                add(.problem(
                    "identity",
                    "The outbox exists\(was) but \(dataDirectory.file(DeviceIdentity.fileName)) does not and DEVICE_ID is not set: `run` would create a new device id, and the store would then refuse to open as that other device (R12, exit 78). Set DEVICE_ID\(owner.map { " to \($0.deviceID)" } ?? "") or restore device_id from a backup."))
            } else {
                add(.ok(
                    "identity",
                    "No device id yet: `run` creates \(dataDirectory.file(DeviceIdentity.fileName)) with a new id at its first start (`cloud-connector device` creates and shows it now, to register it with the cloud)."))
            }
            return
        }
        let source = identity.source == .environment ? "DEVICE_ID" : DeviceIdentity.fileName
        let details: [(String, JSONValue)] = [("device_id", .string(identity.deviceID)), ("tenant_id", .string(identity.tenantID))]
        guard let owner else {
            add(.ok("identity", "Device \(identity.deviceID) (from \(source)), tenant \(identity.tenantID).", details))
            return
        }
        if owner.deviceID != identity.deviceID || owner.tenantID != identity.tenantID {
            add(.problem(
                "identity",
                "The outbox belongs to device \(owner.deviceID) in tenant \(owner.tenantID), but this configuration runs as device \(identity.deviceID) (from \(source)) in tenant \(identity.tenantID): `run` refuses to open it (R12: a store never serves another device; exit 78). Set DEVICE_ID and TENANT_ID in the service's environment to the store's values, or use another --data-dir.",
                details))
        } else {
            add(.ok(
                "identity",
                "Device \(identity.deviceID) (from \(source)), tenant \(identity.tenantID): the outbox belongs to the same device and tenant.",
                details))
        }
    }

    mutating func checkStore() {
        guard let storePath else {
            add(.skipped("store", "Not checked: there is no data directory."))
            return
        }
        guard storeExists else {
            add(.ok("store", "No outbox yet (\(storePath)): `run` or the first append creates it."))
            return
        }
        if let inspectionError {
            add(Self.storeFinding(inspectionError, path: storePath))
            return
        }
        guard let inspection else { return }
        let schema = inspection.schema
        let details: [(String, JSONValue)] = [
            ("schema_version", .int(schema.version)), ("supported_schema_version", .int(schema.supportedVersion)),
            ("bytes_on_disk", .int(inspection.bytesOnDisk)),
        ]
        if schema.isNewerThanThisBinary {
            add(.problem(
                "store",
                "\(OutboxError.schemaTooNew(storeVersion: schema.version, supportedVersion: schema.supportedVersion, path: storePath).description) This binary's `run` refuses it (exit 78).",
                details))
        } else if schema.version == 0 {
            add(.ok("store", "\(storePath) holds no tables yet: `run` sets it up at its next start.", details))
        } else if !schema.pendingMigrations.isEmpty {
            let names = schema.pendingMigrations.joined(separator: ", ")
            if serviceRunning {
                add(.warning(
                    "store",
                    "\(storePath) has schema \(schema.version) and this cloud-connector knows \(schema.supportedVersion): the running service is an older version. Upgrade it (stop, install, start: it then applies \(names)); until then, CLI commands of this version that open the store would upgrade it under the old service, which would refuse it at its next start (exit 78).",
                    details))
            } else {
                add(.ok(
                    "store",
                    "\(storePath) has schema \(schema.version); `run` of this version applies \(names) at its next start (backing the store up first when a migration rewrites tables).",
                    details))
            }
        } else {
            add(.ok(
                "store",
                "\(storePath) opens read-only: schema \(schema.version) (this binary's), \(ByteCount.format(inspection.bytesOnDisk)) on disk.",
                details))
        }
    }

    static func storeFinding(_ error: OutboxError, path: String) -> DoctorFinding {
        switch error {
        case .corrupt(_, let detail):
            return .problem(
                "store",
                "SQLite cannot read \(path) (\(detail)). `run` would move it aside as \(OutboxStore.fileName)\(StoreQuarantine.marker)<time> and start a fresh store; messages the cloud had not acked would then be only in the moved file. Copy the data directory somewhere safe first; once the service runs on a fresh store, recover them with `cloud-connector outbox salvage`.")
        case .storeBusy:
            return .warning("store", "\(error.description) The checks that read the store were not done; run doctor again.")
        case .storage(_, let sqlite) where sqlite.isCannotOpen || sqlite.isReadOnly:
            return .problem(
                "store",
                "\(path) cannot be opened (\(sqlite.message)). Run doctor as the service's user (or root); if that user cannot open it either, the service cannot work: check the file's owner and mode (see files).")
        default:
            return .problem("store", "\(error.description) `run` would stop with the same error.")
        }
    }

    mutating func checkIntegrity() {
        // A store the cheap reads found damaged is checked too: the check says where the damage is.
        var readable = inspection.map { !$0.schema.isNewerThanThisBinary } ?? false
        if case .corrupt? = inspectionError { readable = true }
        guard let dataDirectory, let storePath, storeExists, readable else {
            add(.skipped("store_integrity", storeExists ? "Not checked: the store cannot be read (see store)." : "No store to check."))
            return
        }
        let depth: StoreIntegrity.Depth = options.full ? .full : .quick
        let pragma = depth == .quick ? "PRAGMA quick_check" : "PRAGMA integrity_check"
        let started = ContinuousClock.now
        let outcome: StoreIntegrity.Outcome
        do {
            outcome = try StoreIntegrity.check(
                directory: dataDirectory.path, depth: depth, timeLimit: options.full ? nil : options.integrityTimeLimit)
        } catch {
            add(Self.storeFinding(error, path: storePath).renamed("store_integrity"))
            return
        }
        let took = DurationText.format(milliseconds: (ContinuousClock.now - started).inMilliseconds)
        var info = stat()
        let size = ByteCount.format(stat(storePath, &info) == 0 ? Int64(info.st_size) : 0)
        switch outcome {
        case .clean:
            add(.ok("store_integrity", "\(pragma) found no damage (\(size) read in \(took))."))
        case .damaged(let findings):
            add(.problem(
                "store_integrity",
                "\(pragma) reports damage: \(findings.prefix(3).joined(separator: "; "))\(findings.count > 3 ? " (and more)" : ""). Messages in damaged pages may be unreadable, and later writes can spread the damage. Stop the service, copy the data directory somewhere safe, and run `cloud-connector outbox verify` to see what is affected; if the store must be replaced, move it aside (as `run` does with an unreadable one) and recover what it held with `cloud-connector outbox salvage`.",
                [("findings", .array(findings.map { .string($0) }))]))
        case .wastedSpace(let findings):
            add(.warning(
                "store_integrity",
                "\(pragma) found only pages nothing uses (\(findings.count)): wasted space, every row still reads, and `run` keeps the store. Nothing to do; `cloud-connector outbox verify` lists them.",
                [("findings", .array(findings.map { .string($0) }))]))
        case .unfinished:
            add(.skipped(
                "store_integrity",
                "\(pragma) did not finish within \(DurationText.format(milliseconds: options.integrityTimeLimit.inMilliseconds)) on this \(size) store (it reads every page), so nothing is known either way. Run `cloud-connector doctor --full` to check it without a time limit (integrity_check: slower, also checks every index), at a quiet time."))
        }
    }

    mutating func checkBacklog() {
        guard let contents = inspection?.contents, let configuration else {
            add(.skipped("backlog", storeExists ? "Not checked: the store or the configuration cannot be read (see above)." : "No store, so nothing is pending."))
            return
        }
        let bound = configuration.maxOutboxBytes
        let share = Double(contents.pendingBytes) / Double(max(bound, 1))
        let percent = Int((share * 100).rounded())
        let held = "\(contents.pendingMessages) message\(contents.pendingMessages == 1 ? "" : "s") the cloud has not acked, \(ByteCount.format(contents.pendingBytes)) (\(percent) % of the \(ByteCount.format(bound)) bound)"
        let details: [(String, JSONValue)] = [
            ("pending_messages", .int(contents.pendingMessages)), ("pending_bytes", .int(contents.pendingBytes)),
            ("held_bytes", .int(contents.sequence.heldBytes)), ("max_outbox_bytes", .int(bound)),
            ("oldest_pending_created_at", .time(contents.oldestPendingCreatedAtMS)),
        ]
        let why = "At the bound, unacked progress events are dropped and then every append is refused (\"the outbox is full\": new work cannot be accepted, usage cannot be recorded)."
        let fix = configuration.isStandalone
            ? "Configure a cloud (CLOUD_WS_URL) so the backlog can drain, or raise OUTBOX_MAX_BYTES."
            : "Get the link up (`cloud-connector status` says why it is down) so acks free space, or raise OUTBOX_MAX_BYTES (or --max-outbox-bytes) and restart the service."
        if share >= 0.9 {
            add(.problem("backlog", "\(held). \(why) \(fix)", details))
            return
        }
        if share >= 0.5 {
            add(.warning("backlog", "\(held): past half of it. \(why) \(fix)", details))
            return
        }
        let age = contents.oldestPendingCreatedAtMS.map { max(Self.nowMS - $0, 0) } ?? 0
        if !configuration.isStandalone, age > 3_600_000 {
            add(.warning(
                "backlog",
                "\(held); the oldest was appended \(DurationText.format(milliseconds: age)) ago and the cloud has not acked it: its events and usage are that late on the cloud. \(fix)",
                details))
            return
        }
        add(.ok(
            "backlog",
            "\(held)\(configuration.isStandalone && contents.pendingMessages > 0 ? "; standalone, they wait for a cloud" : "").",
            details))
    }

    mutating func checkLink() {
        guard configuration?.cloud != nil else {
            add(.skipped("link", configuration == nil ? "Not checked: the configuration has problems (above)." : "Standalone: there is no link."))
            return
        }
        guard let link = inspection?.contents?.link else {
            add(.skipped("link", "No service has reported a link in this store yet."))
            return
        }
        let ago = DurationText.format(milliseconds: max(Self.nowMS - link.updatedAtMS, 0))
        guard serviceRunning else {
            add(.skipped("link", "No service runs; the last one reported the link \(link.state) \(ago) ago."))
            return
        }
        let details: [(String, JSONValue)] = [("state", .string(link.state)), ("last_error", .string(link.lastError))]
        if link.state == "live" {
            add(.ok("link", "The running service reports the link live (updated \(ago) ago), \(link.sessions) sessions so far.", details))
        } else {
            let refusals = link.tokenRefusals > 0 ? "; the cloud refused its token \(link.tokenRefusals) times" : ""
            add(.warning(
                "link",
                "The running service reports the link \(link.state) (updated \(ago) ago)\(refusals); last error: \(link.lastError ?? "none"). Messages wait in the outbox until it is live. The cloud checks below test the same path; `cloud-connector status` shows more.",
                details))
        }
    }

    mutating func checkQuarantine() {
        guard let dataDirectory else {
            add(.skipped("quarantine", "Not checked: there is no data directory."))
            return
        }
        let moved = StoreQuarantine.list(directory: dataDirectory.path, fileName: OutboxStore.fileName)
        guard !moved.isEmpty else {
            add(.ok("quarantine", "No unreadable store was ever moved aside here."))
            return
        }
        let list = moved.map { "\($0.path) (\(ByteCount.format($0.bytes)))" }.joined(separator: ", ")
        add(.warning(
            "quarantine",
            "`run` moved \(moved.count == 1 ? "an unreadable store" : "\(moved.count) unreadable stores") aside: \(list). The messages the cloud had not acked when it broke are only there. Recover them into the live store with `cloud-connector outbox salvage`, and keep the file until that is done.",
            [("stores", .array(moved.map { ["path": .string($0.path), "bytes": .int($0.bytes)] }))]))
    }

    mutating func checkDiskSpace() {
        guard let dataDirectory, let configuration else {
            add(.skipped("disk_space", dataDirectory == nil ? "Not checked: there is no data directory." : "Not checked: the configuration has problems (above)."))
            return
        }
        var info = statvfs()
        guard statvfs(dataDirectory.path, &info) == 0 else {
            add(.warning("disk_space", "The free space of \(dataDirectory.path)'s file system cannot be read: \(String(cString: strerror(errno)))."))
            return
        }
        let free = Int64(info.f_bavail) * Int64(info.f_frsize)
        let held = inspection?.contents?.sequence.heldBytes ?? 0
        // Room the outbox may still take: up to its bound, plus a WAL of up to 64 MiB (journal_size_limit).
        let wal: Int64 = 64 << 20
        let room = max(configuration.maxOutboxBytes - held, 0) + wal
        let details: [(String, JSONValue)] = [("free_bytes", .int(free)), ("outbox_room_bytes", .int(room))]
        let full = "appends then fail with \"the disk is full\" (nothing already stored is lost, but new work and usage are refused)"
        if free < wal {
            add(.problem(
                "disk_space",
                "Only \(ByteCount.format(free)) free on \(dataDirectory.path)'s file system: \(full) at any moment. Free space now.",
                details))
        } else if free < room {
            add(.warning(
                "disk_space",
                "\(ByteCount.format(free)) free on \(dataDirectory.path)'s file system, but the outbox may still grow by \(ByteCount.format(room)) (to its \(ByteCount.format(configuration.maxOutboxBytes)) bound, plus its WAL): the disk would fill first, and \(full) instead of the bound's orderly dropping. Free space, or lower OUTBOX_MAX_BYTES below \(ByteCount.format(max(held + free - wal, 0))).",
                details))
        } else {
            add(.ok(
                "disk_space",
                "\(ByteCount.format(free)) free on \(dataDirectory.path)'s file system: room for the outbox to reach its \(ByteCount.format(configuration.maxOutboxBytes)) bound.",
                details))
        }
    }

    static var nowMS: Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }
}

extension DoctorFinding {
    func renamed(_ check: String) -> DoctorFinding {
        DoctorFinding(check: check, status: status, message: message, details: details)
    }
}

extension Duration {
    /// Whole milliseconds, for texts and details.
    var inMilliseconds: Int64 { saturatingNanoseconds / 1_000_000 }
}
