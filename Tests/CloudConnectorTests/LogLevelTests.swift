import Foundation
import Testing

@Suite("LOG_LEVEL")
struct LogLevelTests {
    @Test("a LOG_LEVEL that names no level is a configuration error that lists the levels; nothing is created")
    func unknownLevelRefused() throws {
        let fixture = Fixture()
        let result = try fixture.run("device", environment: ["LOG_LEVEL": "loud"])
        #expect(result.status == 78, "\(result)")
        #expect(result.stderr.contains("LOG_LEVEL=loud is not a log level"))
        #expect(result.stderr.contains("trace, debug, info, notice, warning, error, critical"))
        #expect(!FileManager.default.fileExists(atPath: fixture.dataDir))
    }

    @Test("a known level, in any case, is accepted")
    func knownLevelAccepted() throws {
        let fixture = Fixture()
        #expect(try fixture.run("device", environment: ["LOG_LEVEL": "DEBUG"]).status == 0)
    }
}
