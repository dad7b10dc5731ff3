import CloudConnector
import Foundation
import Testing

@Suite("Data directory")
struct DataDirectoryTests {
    @Test("created on first use with mode 0700, parents included")
    func createdPrivate() throws {
        let root = TemporaryDirectory()
        let path = root.file("a/b/data")
        let records = LogRecords()
        let directory = try DataDirectory.prepare(path, logger: records.logger())
        #expect(directory.path == path)
        #expect(permissions(path) == 0o700)
        #expect(records.warnings.isEmpty)
        // Preparing again is harmless.
        _ = try DataDirectory.prepare(path, logger: records.logger())
        #expect(permissions(path) == 0o700)
    }

    @Test("an existing directory with looser permissions gets a logged warning, not a failure")
    func looseExistingWarns() throws {
        let root = TemporaryDirectory()
        let path = root.file("shared")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        chmod(path, 0o755)
        let records = LogRecords()
        _ = try DataDirectory.prepare(path, logger: records.logger())
        let warning = try #require(records.warnings.first)
        #expect(warning.0.contains("accessible to other users"))
        #expect(warning.1["mode"]?.description == "755")
        #expect(permissions(path) == 0o755, "the user's choice is left alone")
    }

    @Test("a file where the directory should be, or an uncreatable path, is a clear error")
    func clearErrors() throws {
        let root = TemporaryDirectory()
        let file = root.file("not-a-dir")
        _ = FileManager.default.createFile(atPath: file, contents: Data("x".utf8))
        do {
            _ = try DataDirectory.prepare(file, logger: LogRecords().logger())
            Issue.record("a regular file was accepted as the data directory")
        } catch {
            #expect(error.kind == .invalidSetting)
            #expect(error.message.contains("is not a directory"))
        }
        do {
            _ = try DataDirectory.prepare(file + "/inside", logger: LogRecords().logger())
            Issue.record("a directory under a regular file was created")
        } catch {
            #expect(error.kind == .cannotCreate)
            #expect(error.message.contains("cannot create the data directory"))
        }
    }

    @Test("looking for an existing directory creates nothing")
    func existingCreatesNothing() throws {
        let root = TemporaryDirectory()
        #expect(try DataDirectory.existing(root.file("missing"), logger: LogRecords().logger()) == nil)
        #expect(listing(root.path).isEmpty)
    }
}
