import Foundation
import Glibc

/// A fresh private directory (mode 0700) per execution, the handler's working directory, removed
/// afterwards with whatever the handler left in it.
struct WorkDirectory {
    static let namePrefix = "cloud-connector-exec-"
    let path: String

    init(under root: String) throws(ExecutorFailure) {
        var template = Array((root + "/" + Self.namePrefix + "XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw ExecutorFailure(
                code: ExecutorErrorCode.handlerFailed,
                message: "cannot create a working directory in \(root): \(HandlerLocator.describe(errno))", retryable: true)
        }
        path = String(cString: made)
    }

    init(existing path: String) {
        self.path = path
    }

    /// The directories in `root` that executions created, e.g. those a crash left behind.
    static func all(under root: String) -> [WorkDirectory] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return names.filter { $0.hasPrefix(namePrefix) }.sorted().map { WorkDirectory(existing: root + "/" + $0) }
    }

    /// Best effort. A handler may have left directories without write permission, which would stop
    /// the removal, so on failure they are made writable (never following symlinks) and it is tried
    /// once more.
    func remove() {
        let files = FileManager.default
        if (try? files.removeItem(atPath: path)) != nil { return }
        if let walker = files.enumerator(atPath: path) {
            for case let relative as String in walker {
                let full = path + "/" + relative
                var info = stat()
                if lstat(full, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { _ = chmod(full, 0o700) }
            }
        }
        try? files.removeItem(atPath: path)
    }
}
