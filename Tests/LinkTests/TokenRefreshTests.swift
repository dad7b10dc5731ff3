import CloudConnector
import Foundation
import ReferenceCloud
import SQLiteDB
import Testing

extension LinkSuites {
    @Suite("Device token refresh", .timeLimit(.minutes(2)))
    struct TokenRefreshTests {
        @Test("a token is refreshed before it expires, so a reconnect never meets a 401")
        func refreshedBeforeExpiry() async throws {
            let directory = NSTemporaryDirectory() + "link-refresh-" + UUID().uuidString
            let harness = try await LinkHarness(proxied: true, cloudDirectory: directory, tokenLifetime: .seconds(2))
            var settings = await harness.settings()
            settings.connection.tokenRetryInterval = .milliseconds(200)
            let connector = RunningConnector.start(settings, store: harness.store)
            try await eventually("the first session") { (try harness.linkStatus()?.sessions ?? 0) == 1 }
            // Two lifetimes: without refreshes the first token would be long dead by now.
            try await Task.sleep(for: .seconds(4))
            harness.proxy!.cutAll()
            try await harness.append(count: 3)
            try await eventually("delivery after the cut") { try harness.backlog().ackedSeq == 3 }
            let status = try #require(try harness.linkStatus())
            #expect(status.sessions == 2)
            #expect(status.connectAttempts == 2, "the reconnect must succeed at once: \(status.lastError ?? "")")
            try await connector.stop()
            let cloudDB = try Database(path: harness.cloud.databasePath)
            let issued = try cloudDB.int64("SELECT count(*) FROM tokens")
            #expect(issued >= 3, "tokens issued: \(issued)")
            await harness.finish()
            try? FileManager.default.removeItem(atPath: directory)
        }
    }
}
