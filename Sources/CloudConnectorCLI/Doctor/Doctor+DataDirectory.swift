import CloudConnector
import ConnectorCore
import Foundation
import LocalAPI
import OutboxStore

/// The data directory, the files `run` keeps in it, config.json, and whether a service owns it.
extension Doctor {
    mutating func checkDataDirectory() {
        guard let path = checked.dataDirectory else {
            add(.skipped("data_dir", "Not checked: the data directory's path is unknown until the configuration above is fixed."))
            return
        }
        var info = stat()
        guard stat(path, &info) == 0 else {
            let reason = errno
            if reason == ENOENT {
                add(.warning(
                    "data_dir",
                    "\(path) does not exist: no connector has run here. `run` creates it (mode 0700) with a new device id; if this device ran before, it kept its data elsewhere: check --data-dir and CLOUD_CONNECTOR_DATA_DIR (the systemd unit uses /var/lib/cloud-connector)."))
            } else {
                add(.problem(
                    "data_dir",
                    "\(path) cannot be inspected: \(String(cString: strerror(reason))). Run doctor as the user the service runs as (or root)."))
            }
            return
        }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            add(.problem("data_dir", "\(path) is not a directory, so `run` cannot keep its outbox there. Pass --data-dir with a folder, or move that file away."))
            return
        }
        // The directory's owner is the service's user (`run` creates it); every file is judged against it.
        serviceUID = info.st_uid
        dataDirectory = try? DataDirectory.existing(path, logger: logger)
        var fine = true
        if info.st_uid != geteuid() && geteuid() != 0 {
            fine = false
            add(.problem(
                "data_dir",
                "\(path) belongs to \(FileRule.user(info.st_uid)), but this runs as \(FileRule.user(geteuid())): the service must run as the directory's owner to write its outbox, and doctor can only check what that user can read. Run both as \(FileRule.user(info.st_uid)) (or doctor as root)."))
        }
        let rule = FileRule(access: .ownerOnly, holds: "the outbox (reply tokens, usage for billing), the device id and the local API token")
        if let problem = rule.problem(path: path, mode: info.st_mode, owner: info.st_uid, serviceUID: info.st_uid, isDirectory: true) {
            fine = false
            add(.problem("data_dir", problem))
        } else if info.st_mode & 0o700 != 0o700 {
            fine = false
            add(.problem(
                "data_dir",
                "\(path) is mode 0\(String(info.st_mode & 0o777, radix: 8)): its owner cannot write into it (or list or enter it), so `run` cannot keep its outbox there. Fix: chmod 700 \(path)"))
        }
        if fine {
            add(.ok("data_dir", "\(path) exists, mode 0700, owned by \(FileRule.user(info.st_uid))."))
        }
    }

    mutating func checkConfigFile() {
        guard let path = checked.dataDirectory else {
            add(.skipped("config_file", "Not checked: the data directory is unknown."))
            return
        }
        do {
            let config = try ConfigFile.load(directory: path)
            configFile = config
            let present = FileManager.default.fileExists(atPath: path + "/" + ConfigFile.fileName)
            let executor =
                switch config.executor {
                case .command: "command handlers in \(config.handlersDirectory ?? path + "/handlers")"
                case .http(let url): "the HTTP executor at \(url)"
                }
            add(.ok(
                "config_file",
                (present ? "\(path)/\(ConfigFile.fileName) is valid" : "No \(ConfigFile.fileName): the defaults apply")
                    + ": work runs through \(executor), at most \(config.maxConcurrentExecutions) at once; the local API listens on \(config.localAPIHost):\(config.localAPIPort)."))
        } catch {
            add(.problem("config_file", "\(error.message) `run` refuses to start until it is fixed (exit 78)."))
        }
    }

    mutating func checkFiles() {
        guard let dataDirectory else {
            add(.skipped("files", "Not checked: there is no data directory to look into."))
            return
        }
        let outbox = FileRule(access: .ownerOnly, holds: "the outbox's messages (reply tokens, usage for billing)")
        var rules: [(String, FileRule)] = [
            (DeviceIdentity.fileName, FileRule(access: .ownerOnly, holds: "this device's identity")),
            (LocalToken.fileName, FileRule(access: .ownerOnly, holds: "the local API's token: whoever reads it can append usage to this device's bill (and `run` refuses to start with it)")),
            (ConfigFile.fileName, FileRule(access: .notWritableByOthers, holds: "what the connector runs (handlers_dir, the reload command)")),
            ("backups", FileRule(access: .ownerOnly, holds: "copies of the outbox")),
            ("work", FileRule(access: .ownerOnly, holds: "the working folders of running handlers")),
        ]
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dataDirectory.path)) ?? []).sorted()
        rules += names.filter { $0.hasPrefix(OutboxStore.fileName) }.map { ($0, outbox) }
        let backups = dataDirectory.file("backups")
        rules += ((try? FileManager.default.contentsOfDirectory(atPath: backups)) ?? []).sorted().map { ("backups/" + $0, outbox) }
        var checkedNames: [String] = []
        var fine = true
        for (name, rule) in rules.sorted(by: { $0.0 < $1.0 }) {
            let path = dataDirectory.file(name)
            var info = stat()
            guard lstat(path, &info) == 0 else {
                if errno != ENOENT {
                    fine = false
                    add(.problem("files", "\(path) cannot be inspected: \(String(cString: strerror(errno))). Run doctor as the service's user or root."))
                }
                continue
            }
            checkedNames.append(name)
            let isDirectory = info.st_mode & S_IFMT == S_IFDIR
            if let problem = rule.problem(path: path, mode: info.st_mode, owner: info.st_uid, serviceUID: serviceUID, isDirectory: isDirectory) {
                fine = false
                add(.problem("files", problem))
            }
        }
        if fine {
            add(.ok(
                "files",
                checkedNames.isEmpty
                    ? "The data directory holds none of the connector's files yet."
                    : "\(checkedNames.joined(separator: ", ")): owner-only where they hold secrets, none writable by others, all owned by \(FileRule.user(serviceUID))."))
        }
    }

    mutating func checkService() {
        guard let dataDirectory else {
            add(.skipped("service", "Not checked: there is no data directory."))
            return
        }
        serviceRunning = DataDirectoryLock.isOwned(dataDirectory)
        if serviceRunning {
            servicePID = DataDirectoryLock.holder(of: dataDirectory)
            let who = servicePID.map { "pid \($0)" } ?? "a process that has not recorded its pid yet"
            add(.ok(
                "service",
                "A service runs on this data directory (\(who) holds \(DataDirectoryLock.fileName)). CLI commands work beside it; a second `run` here would exit 69.",
                [("running", .bool(true)), ("pid", .int(servicePID.map(Int64.init)))]))
        } else {
            add(.ok(
                "service",
                "No service runs on this data directory (nobody holds \(DataDirectoryLock.fileName)). Start it with `cloud-connector run` (or `systemctl start cloud-connector`); the checks below look at what it would use.",
                [("running", .bool(false))]))
        }
    }
}
