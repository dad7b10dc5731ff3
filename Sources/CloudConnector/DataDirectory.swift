import Foundation
public import Logging

/// The folder holding the device id, the outbox and the service lock. Created on first use with
/// mode 0700: the outbox holds reply tokens and billing data.
public struct DataDirectory: Sendable, Equatable {
    public static let environmentVariable = "CLOUD_CONNECTOR_DATA_DIR"
    public static let defaultName = ".mindscape"

    /// Absolute path, without a trailing slash.
    public let path: String

    public func file(_ name: String) -> String { path + "/" + name }

    /// `--data-dir` flag, else `CLOUD_CONNECTOR_DATA_DIR`, else `$HOME/.mindscape`. Empty values
    /// count as unset; "~/" is expanded (env files do not expand it); relative paths are made
    /// absolute against `workingDirectory` so every message names one unambiguous place.
    public static func resolvePath(
        flag: String?, environment: [String: String],
        workingDirectory: String? = nil
    ) throws(ConfigurationError) -> String {
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 }
        var chosen: String
        if let flag {
            guard !flag.isEmpty else { throw .invalid("--data-dir", "is empty; give a folder path.") }
            chosen = flag
        } else if let value = environment[environmentVariable], !value.isEmpty {
            chosen = value
        } else if let home {
            chosen = home + "/" + defaultName
        } else {
            throw .invalid("HOME", "is not set, so the default data directory ~/.mindscape cannot be found. Pass --data-dir or set \(environmentVariable).")
        }
        if chosen == "~" || chosen.hasPrefix("~/") {
            guard let home else {
                throw .invalid("the data directory \(chosen)", "starts with ~ but HOME is not set. Use an absolute path.")
            }
            chosen = home + chosen.dropFirst()
        }
        if !chosen.hasPrefix("/") {
            chosen = (workingDirectory ?? FileManager.default.currentDirectoryPath) + "/" + chosen
        }
        while chosen.count > 1 && chosen.hasSuffix("/") { chosen.removeLast() }
        return chosen
    }

    /// Creates the directory (and missing parents) if needed, mode 0700, and checks what is there.
    public static func prepare(_ path: String, logger: Logger) throws(ConfigurationError) -> DataDirectory {
        if let existing = try existing(path, logger: logger) { return existing }
        let parent = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            throw ConfigurationError(
                .cannotCreate,
                "cannot create the data directory \(path): its parent \(parent) cannot be created (\(error.localizedDescription)). Pass --data-dir with a writable location.")
        }
        if mkdir(path, 0o700) != 0 && errno != EEXIST {
            throw ConfigurationError(
                .cannotCreate,
                "cannot create the data directory \(path): \(errnoText()). Pass --data-dir with a writable location, or fix the permissions of \(parent).")
        }
        // mkdir's mode passes through the umask; make it exactly 0700 whatever the umask.
        chmod(path, 0o700)
        guard let created = try existing(path, logger: logger) else {
            throw ConfigurationError(.cannotCreate, "the data directory \(path) vanished right after it was created.")
        }
        return created
    }

    /// The directory if it exists (nil when nothing is there): read-only commands create nothing.
    /// A directory that others can read or enter gets a warning, not a failure: the user may have
    /// chosen that on purpose (a shared volume), but should know.
    public static func existing(_ path: String, logger: Logger) throws(ConfigurationError) -> DataDirectory? {
        var info = stat()
        guard stat(path, &info) == 0 else {
            // ENOTDIR: part of the path is a file; nothing usable is there, and prepare() says why.
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw ConfigurationError(.io, "cannot read the data directory \(path): \(errnoText()).")
        }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw ConfigurationError(
                .invalidSetting,
                "the data directory \(path) exists but is not a directory. Pass --data-dir with a folder, or move that file away.")
        }
        let mode = info.st_mode & 0o777
        if mode & 0o077 != 0 {
            logger.warning(
                "data directory is accessible to other users; it holds reply tokens and billing data, consider chmod 700",
                metadata: ["data_dir": "\(path)", "mode": "\(String(mode, radix: 8))"])
        }
        return DataDirectory(path: path)
    }
}
