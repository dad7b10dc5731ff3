import CloudConnector
import Foundation
import Testing

/// A fresh folder under the system temp folder, removed when the value goes away.
final class TemporaryDirectory: Sendable {
    let path: String

    init(_ prefix: String = "cloud-connector-test") {
        let template = NSTemporaryDirectory() + "/\(prefix)-XXXXXX"
        var bytes = Array(template.utf8CString)
        path = bytes.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { path + "/" + name }
}

/// Every entry under `path`, recursively, so a test can show that a command created nothing.
func listing(_ path: String) -> [String] {
    (FileManager.default.enumerator(atPath: path)?.allObjects as? [String] ?? []).sorted()
}

func permissions(_ path: String) -> Int {
    var info = stat()
    guard stat(path, &info) == 0 else { return -1 }
    return Int(info.st_mode & 0o777)
}

/// The ConfigurationError `body` throws; records an issue when it throws nothing or something else.
func configurationError(
    _ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation
) -> ConfigurationError? {
    do {
        try body()
        Issue.record("expected a ConfigurationError, nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as ConfigurationError {
        return error
    } catch {
        Issue.record("expected a ConfigurationError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}
