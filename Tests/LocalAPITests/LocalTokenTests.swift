import Foundation
import LocalAPI
import Testing

/// `<data>/local_token`: created once, 0600, never regenerated, refused when exposed or damaged.
@Suite struct LocalTokenTests {
    private func mode(_ path: String) throws -> Int {
        try (FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    private func secret(_ token: LocalToken) -> String {
        String(token.authorizationHeaderValue.dropFirst("Bearer ".count))
    }

    @Test func createdOnceWithMode0600AndStable() throws {
        let directory = TemporaryDirectory()
        let first = try LocalToken.loadOrCreate(directory: directory.path)
        #expect(first.created)
        #expect(first.path == directory.path + "/local_token")
        #expect(try mode(first.path) == 0o600)
        let contents = try String(contentsOfFile: first.path, encoding: .utf8)
        #expect(contents.count == 65 && contents.hasSuffix("\n"))
        #expect(contents.dropLast().allSatisfy { "0123456789abcdef".contains($0) })
        #expect(contents.dropLast() == secret(first))

        let second = try LocalToken.loadOrCreate(directory: directory.path)
        #expect(!second.created)
        #expect(second.authorizationHeaderValue == first.authorizationHeaderValue)
        #expect(try String(contentsOfFile: first.path, encoding: .utf8) == contents)
        #expect(try LocalToken.load(directory: directory.path).authorizationHeaderValue == first.authorizationHeaderValue)

        // Another directory gets another token.
        let otherDirectory = TemporaryDirectory()
        let other = try LocalToken.loadOrCreate(directory: otherDirectory.path)
        #expect(other.authorizationHeaderValue != first.authorizationHeaderValue)
    }

    @Test func readableByOthersIsRefusedWithChmodAdvice() throws {
        let directory = TemporaryDirectory()
        let token = try LocalToken.loadOrCreate(directory: directory.path)
        for exposed in [0o644, 0o640, 0o604, 0o620] {
            chmod(token.path, mode_t(exposed))
            let error = #expect(throws: LocalTokenError.self) { try LocalToken.loadOrCreate(directory: directory.path) }
            let text = "\(String(describing: error))"
            #expect(text.contains("chmod 600"), "\(text)")
            #expect(!text.contains(secret(token)))
        }
        // Never regenerated: after the fix, the same token is back.
        chmod(token.path, 0o600)
        #expect(try LocalToken.loadOrCreate(directory: directory.path).authorizationHeaderValue == token.authorizationHeaderValue)
    }

    @Test func emptyGarbledOrOddFilesAreClearErrorsAndLeftAlone() throws {
        let directory = TemporaryDirectory()
        let path = directory.path + "/local_token"
        let cases: [(String, LocalTokenError)] = [
            ("", .empty(path: path)),
            ("\n  \n", .empty(path: path)),
            ("not-a-token-but-a-secret-ish-string\n", .garbled(path: path)),
            (String(repeating: "a", count: 63) + "\n", .garbled(path: path)),
            (String(repeating: "g", count: 64), .garbled(path: path)),
        ]
        for (contents, expected) in cases {
            try? FileManager.default.removeItem(atPath: path)
            _ = FileManager.default.createFile(atPath: path, contents: Data(contents.utf8), attributes: [.posixPermissions: 0o600])
            let error = #expect(throws: LocalTokenError.self) { try LocalToken.loadOrCreate(directory: directory.path) }
            #expect(error == expected)
            let text = String(describing: error)
            #expect(text.contains(path))
            if contents.count > 8 { #expect(!text.contains(contents.trimmingCharacters(in: .whitespacesAndNewlines))) }
            #expect(try String(contentsOfFile: path, encoding: .utf8) == contents, "never overwritten")
        }

        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        #expect(throws: LocalTokenError.notARegularFile(path: path)) { try LocalToken.loadOrCreate(directory: directory.path) }

        let elsewhere = TemporaryDirectory()
        let missing = elsewhere.path + "/nowhere"
        let error = #expect(throws: LocalTokenError.self) { try LocalToken.loadOrCreate(directory: missing) }
        guard case .cannotCreate = error else {
            Issue.record("expected cannotCreate, got \(String(describing: error))")
            return
        }
        // A client that only reads never creates one.
        #expect(throws: LocalTokenError.self) { try LocalToken.load(directory: elsewhere.path) }
        #expect(!FileManager.default.fileExists(atPath: elsewhere.path + "/local_token"))
    }

    @Test func comparisonAcceptsOnlyTheExactToken() throws {
        let directory = TemporaryDirectory()
        let token = try LocalToken.loadOrCreate(directory: directory.path)
        let value = secret(token)
        #expect(token.matches(value))
        #expect(!token.matches(String(value.dropLast())))
        #expect(!token.matches(value + "0"))
        #expect(!token.matches(""))
        #expect(!token.matches(value.uppercased()))
        #expect(token.accepts(authorization: "Bearer \(value)"))
        #expect(token.accepts(authorization: "bearer  \(value) "))
        #expect(!token.accepts(authorization: value))
        #expect(!token.accepts(authorization: "Basic \(value)"))
        #expect(!token.accepts(authorization: nil))
    }

    @Test func theTokenNeverShowsInDescriptions() throws {
        let directory = TemporaryDirectory()
        let token = try LocalToken.loadOrCreate(directory: directory.path)
        var dumped = ""
        dump(token, to: &dumped)
        for text in ["\(token)", String(describing: token), String(reflecting: token), dumped] {
            #expect(!text.contains(secret(token)), "\(text)")
        }
    }
}
