import Executors
import Foundation
import Glibc
import Testing

@Suite struct HandlerSafetyTests {
    @Test(arguments: [
        "../escape", "tools/../../escape", "a/b", "/bin/sh", ".hidden", "..", ".", "", "with space", "nul\u{0}byte",
        "semi;colon", "ünïcode", String(repeating: "x", count: 129),
    ])
    func namesThatCouldLeaveTheDirectoryAreRefused(name: String) async throws {
        let fixture = try HandlerFixture()
        defer { fixture.remove() }
        // A script outside the handlers directory that must never run.
        try fixture.writeExecutable(fixture.file("escape"), "#!/bin/sh\ntouch '\(fixture.file("escaped"))'\n")
        let executor = fixture.executor()
        let tool = await executor.execute(.tool(name), output: { _ in })
        let playbook = await executor.execute(.playbook(name), output: { _ in })
        #expect(tool.code == "invalid_request", "\(tool)")
        #expect(playbook.code == "invalid_request", "\(playbook)")
        #expect(!FileManager.default.fileExists(atPath: fixture.file("escaped")))
    }

    @Test func theLongestAllowedNameIsAccepted() async throws {
        let fixture = try HandlerFixture()
        defer { fixture.remove() }
        let name = "A-z_0.9" + String(repeating: "x", count: 121)
        try fixture.tool(name, "exit 0")
        #expect(await fixture.executor().execute(.tool(name), output: { _ in }) == .completed(result: [:]))
    }

    @Test(arguments: [0o720 as mode_t, 0o702, 0o722, 0o777])
    func aHandlerWritableByGroupOrOthersIsRefused(mode: mode_t) async throws {
        let fixture = try HandlerFixture()
        defer { fixture.remove() }
        let path = try fixture.tool("shared", mode: mode, "touch '\(fixture.file("ran"))'")
        let outcome = await fixture.executor().execute(.tool("shared"), output: { _ in })
        #expect(outcome.code == "unsafe_handler")
        #expect(outcome.message.contains("chmod go-w '\(path)'"), "\(outcome)")
        #expect(!FileManager.default.fileExists(atPath: fixture.file("ran")))
    }

    @Test(arguments: [0o700 as mode_t, 0o755, 0o500])
    func aHandlerOnlyItsOwnerCanWriteIsAccepted(mode: mode_t) async throws {
        let fixture = try HandlerFixture()
        defer { fixture.remove() }
        try fixture.tool("private", mode: mode, #"echo '{"type":"result","result":"ran"}'"#)
        #expect(await fixture.executor().execute(.tool("private"), output: { _ in }) == .completed(result: "ran"))
    }

    @Test func aWritableFolderOnTheWayIsRefused() async throws {
        let fixture = try HandlerFixture()
        defer { fixture.remove() }
        try fixture.tool("fine", "exit 0")
        chmod(fixture.handlers + "/tools", 0o770)
        let tools = await fixture.executor().execute(.tool("fine"), output: { _ in })
        #expect(tools.code == "unsafe_handler")
        #expect(tools.message.contains("chmod go-w '\(fixture.handlers)/tools'"), "\(tools)")

        chmod(fixture.handlers + "/tools", 0o700)
        chmod(fixture.handlers, 0o1777)
        let root = await fixture.executor().execute(.tool("fine"), output: { _ in })
        #expect(root.code == "unsafe_handler")
        #expect(root.message.contains("chmod go-w '\(fixture.handlers)'"), "\(root)")

        chmod(fixture.handlers, 0o755)
        #expect(await fixture.executor().execute(.tool("fine"), output: { _ in }) == .completed(result: [:]))
    }

    @Test func aHandlerThatIsNotExecutableOrNotAFileIsRefused() async throws {
        let fixture = try HandlerFixture()
        defer { fixture.remove() }
        let path = try fixture.tool("readonly", mode: 0o600, "exit 0")
        let outcome = await fixture.executor().execute(.tool("readonly"), output: { _ in })
        #expect(outcome.code == "unsafe_handler")
        #expect(outcome.message.contains("chmod u+x '\(path)'"), "\(outcome)")

        try FileManager.default.createDirectory(atPath: fixture.handlers + "/tools/folder", withIntermediateDirectories: false)
        chmod(fixture.handlers + "/tools/folder", 0o700)
        let folder = await fixture.executor().execute(.tool("folder"), output: { _ in })
        #expect(folder.code == "unsafe_handler")
        #expect(folder.message.contains("not a regular file"), "\(folder)")
    }

    @Test func aSymlinkMayPointWithinTheHandlersDirectoryButNotOutOfIt() async throws {
        let fixture = try HandlerFixture()
        defer { fixture.remove() }
        try fixture.tool("real", #"echo '{"type":"result","result":"real"}'"#)
        try FileManager.default.createSymbolicLink(atPath: fixture.handlers + "/tools/alias", withDestinationPath: "real")
        #expect(await fixture.executor().execute(.tool("alias"), output: { _ in }) == .completed(result: "real"))

        try fixture.writeExecutable(fixture.file("outside"), "#!/bin/sh\nexit 0\n")
        try FileManager.default.createSymbolicLink(
            atPath: fixture.handlers + "/tools/sneaky", withDestinationPath: fixture.file("outside"))
        let outcome = await fixture.executor().execute(.tool("sneaky"), output: { _ in })
        #expect(outcome.code == "unsafe_handler")
        #expect(outcome.message.contains("outside the handlers directory"), "\(outcome)")

        try FileManager.default.createSymbolicLink(
            atPath: fixture.handlers + "/tools/dangling", withDestinationPath: "missing")
        #expect(await fixture.executor().execute(.tool("dangling"), output: { _ in }).code == "unknown_tool")
    }

    @Test(.enabled(if: geteuid() == 0, "only root can give a file to another user"))
    func aHandlerOwnedByAnotherUserIsRefused() async throws {
        let fixture = try HandlerFixture()
        defer { fixture.remove() }
        let path = try fixture.tool("foreign", "exit 0")
        chown(path, 54_321, 54_321)
        let outcome = await fixture.executor().execute(.tool("foreign"), output: { _ in })
        #expect(outcome.code == "unsafe_handler")
        #expect(outcome.message.contains("owned by uid 54321"), "\(outcome)")
    }
}
