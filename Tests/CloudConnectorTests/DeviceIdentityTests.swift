import CloudConnector
import ConnectorCore
import Foundation
import Synchronization
import Testing

@Suite("Device identity")
struct DeviceIdentityTests {
    func configuration(_ environment: [String: String] = [:], dataDir: String) throws -> ConnectorConfiguration {
        try ConnectorConfiguration.parse(environment: ["HOME": "/nonexistent"].merging(environment) { $1 }, flags: .init(dataDirectory: dataDir))
    }

    func prepared(_ root: TemporaryDirectory) throws -> DataDirectory {
        try DataDirectory.prepare(root.file("data"), logger: LogRecords().logger())
    }

    @Test("first use creates <data>/device_id: a lower-case UUID, mode 0600; later uses read it back")
    func createdOnceThenRead() throws {
        let root = TemporaryDirectory()
        let directory = try prepared(root)
        let config = try configuration(dataDir: directory.path)
        let first = try #require(try DeviceIdentity.resolve(configuration: config, directory: directory, createIfMissing: true))
        #expect(first.source == .created)
        #expect(first.tenantID == "local")
        #expect(UUID(uuidString: first.deviceID) != nil)
        #expect(first.deviceID == first.deviceID.lowercased())
        let path = directory.file("device_id")
        #expect(permissions(path) == 0o600)
        #expect(String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self) == first.deviceID + "\n")
        #expect(first.storeIdentity.deviceID == first.deviceID)

        for _ in 0..<5 {
            let again = try #require(try DeviceIdentity.resolve(configuration: config, directory: directory, createIfMissing: true))
            #expect(again.deviceID == first.deviceID, "never regenerated while the file exists")
            #expect(again.source == .file)
        }
        #expect(listing(directory.path) == ["device_id"], "no temporary files left behind")
    }

    @Test("DEVICE_ID overrides the file and creates nothing; TENANT_ID sets the tenant")
    func environmentOverride() throws {
        let root = TemporaryDirectory()
        let directory = try prepared(root)
        let identity = try #require(try DeviceIdentity.resolve(
            configuration: try configuration(["DEVICE_ID": "edge-box-7", "TENANT_ID": "acme"], dataDir: directory.path),
            directory: directory, createIfMissing: true))
        #expect(identity.deviceID == "edge-box-7")
        #expect(identity.tenantID == "acme")
        #expect(identity.source == .environment)
        #expect(!FileManager.default.fileExists(atPath: directory.file("device_id")))
    }

    @Test("without permission to create, a missing file yields nil and creates nothing")
    func noCreate() throws {
        let root = TemporaryDirectory()
        let directory = try prepared(root)
        #expect(try DeviceIdentity.resolve(configuration: try configuration(dataDir: directory.path), directory: directory, createIfMissing: false) == nil)
        #expect(listing(directory.path).isEmpty)
    }

    @Test("an empty or garbled device_id is a clear error and is never replaced", arguments: [
        "", "\n", "two words\n", "dev\u{0}id", String(repeating: "x", count: 300), "日本語",
    ])
    func garbledFile(contents: String) throws {
        let root = TemporaryDirectory()
        let directory = try prepared(root)
        let path = directory.file("device_id")
        _ = FileManager.default.createFile(atPath: path, contents: Data(contents.utf8))
        let error = try #require(configurationError {
            _ = try DeviceIdentity.resolve(configuration: try configuration(dataDir: directory.path), directory: directory, createIfMissing: true)
        })
        #expect(error.kind == .identity)
        #expect(error.message.contains(path))
        #expect(error.message.contains("never replaced automatically"))
        #expect(error.message.contains("DEVICE_ID"))
        #expect(FileManager.default.contents(atPath: path) == Data(contents.utf8), "the file is left exactly as it was")
    }

    @Test("a hand-written id with a trailing newline is accepted as is")
    func handWritten() throws {
        let root = TemporaryDirectory()
        let directory = try prepared(root)
        _ = FileManager.default.createFile(atPath: directory.file("device_id"), contents: Data("  kitchen-pi-01 \n".utf8))
        let identity = try #require(try DeviceIdentity.resolve(configuration: try configuration(dataDir: directory.path), directory: directory, createIfMissing: true))
        #expect(identity.deviceID == "kitchen-pi-01")
        #expect(identity.source == .file)
    }

    @Test("processes racing to create the id agree on one")
    func concurrentCreation() throws {
        let root = TemporaryDirectory()
        let directory = try prepared(root)
        let config = try configuration(dataDir: directory.path)
        let ids = Mutex<[String?]>([])
        DispatchQueue.concurrentPerform(iterations: 16) { _ in
            let identity = try? DeviceIdentity.resolve(configuration: config, directory: directory, createIfMissing: true)
            ids.withLock { $0.append(identity?.deviceID) }
        }
        let seen = Set(ids.withLock { $0 })
        #expect(seen.count == 1)
        #expect(seen.first! != nil)
        #expect(listing(directory.path) == ["device_id"])
    }

    @Test("real processes: `device` creates the id once and shows the same one every time")
    func deviceCommandKeepsTheID() throws {
        let fixture = Fixture(environment: [:])
        let first = try fixture.json("device")
        let id = try #require(first["device_id"]?.stringValue)
        #expect(first["device_id_source"]?.stringValue == "created")
        #expect(UUID(uuidString: id) != nil)
        #expect(permissions(fixture.dataDir) == 0o700)
        #expect(permissions(fixture.dataDir + "/device_id") == 0o600)
        let second = try fixture.json("device")
        #expect(second["device_id"]?.stringValue == id)
        #expect(second["device_id_source"]?.stringValue == "file")
        #expect(second["tenant_id"]?.stringValue == "local")
        #expect(second["mode"]?.stringValue == "standalone")
        #expect(second["store"]?["present"]?.boolValue == false)

        let overridden = try fixture.run("device", "--json", environment: ["DEVICE_ID": "edge-9", "TENANT_ID": "acme"])
        #expect(overridden.status == 0, "\(overridden)")
        let value = try JSON.parse(overridden.stdout)
        #expect(value["device_id"]?.stringValue == "edge-9")
        #expect(value["device_id_source"]?.stringValue == "environment")
        #expect(value["tenant_id"]?.stringValue == "acme")
    }

    @Test("real processes: a garbled device_id stops every command with exit 78 and is kept")
    func garbledStopsCommands() throws {
        let fixture = Fixture(environment: [:])
        try FileManager.default.createDirectory(atPath: fixture.dataDir, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: fixture.dataDir + "/device_id", contents: Data())
        let device = try fixture.run("device")
        #expect(device.status == 78, "\(device)")
        #expect(device.stderr.contains("is empty"))
        let append = try fixture.run("outbox", "append", "--type", "execution_event", "--payload",
                                     Payloads.started("r", event: "e", at: "2026-11-24T10:00:00Z"))
        #expect(append.status == 78, "\(append)")
        #expect(FileManager.default.contents(atPath: fixture.dataDir + "/device_id") == Data())
        #expect(!FileManager.default.fileExists(atPath: fixture.dataDir + "/outbox.sqlite"))
    }
}
