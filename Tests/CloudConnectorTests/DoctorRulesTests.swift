@testable import CloudConnectorCLI
import ConnectorCore
import Foundation
import Testing

/// The pure judgements behind `cloud-connector doctor`; the checks themselves are run against real
/// files, stores and clouds in LinkTests/DoctorTests.
@Suite("doctor's rules")
struct DoctorRulesTests {
    @Test("clock skew: the cloud's whole-second Date against the local midpoint, with its uncertainty")
    func clockSkew() {
        // The cloud wrote 10:00:00 (so its clock read 10:00:00.000–.999); the exchange took 200 ms
        // and started at 10:00:02.400 local: the local midpoint is 10:00:02.500, 2 s ahead of 10:00:00.500.
        let skew = ClockSkew.measure(cloudDateMS: 1_795_514_400_000, sentAtMS: 1_795_514_402_400, roundTripMS: 200)
        #expect(skew.offsetMS == 2_000)
        #expect(skew.uncertaintyMS == 600)
        #expect(skew.provenMS == 1_400)
        #expect(skew.status == .ok, "2 s ± 0.6 s does not prove more than 2 s")
        let behind = ClockSkew.measure(cloudDateMS: 1_795_514_400_000, sentAtMS: 1_795_514_395_000, roundTripMS: 20)
        #expect(behind.offsetMS == -5_490)
        #expect(behind.status == .warning)
        let far = ClockSkew.measure(cloudDateMS: 1_795_514_400_000, sentAtMS: 1_795_514_400_000 + 3_600_000, roundTripMS: 20)
        #expect(far.status == .problem)
        // A slow exchange widens the uncertainty: 61 s with a 4 s round trip proves only 58.5 s.
        let slow = ClockSkew.measure(cloudDateMS: 1_795_514_400_000, sentAtMS: 1_795_514_459_000, roundTripMS: 4_000)
        #expect(slow.offsetMS == 60_500)
        #expect(slow.status == .warning)
        #expect(ClockSkew.measure(cloudDateMS: 0, sentAtMS: 62_000, roundTripMS: 0).status == .problem)
    }

    @Test("owner-only files and folders: the mode that breaks the rule is named with who gains access and the chmod that fixes it")
    func ownerOnly() {
        let rule = FileRule(access: .ownerOnly, holds: "secrets")
        #expect(rule.problem(path: "/d/f", mode: 0o100600, owner: 7, serviceUID: 7, isDirectory: false) == nil)
        #expect(rule.problem(path: "/d", mode: 0o040700, owner: 7, serviceUID: 7, isDirectory: true) == nil)
        let group = rule.problem(path: "/d/f", mode: 0o100640, owner: 7, serviceUID: 7, isDirectory: false)
        #expect(group == "/d/f is mode 0640: its group can read it, and it holds secrets. Fix: chmod 600 /d/f")
        let world = rule.problem(path: "/d/f", mode: 0o100604, owner: 7, serviceUID: 7, isDirectory: false)
        #expect(world?.contains("every user on this machine can read it") == true)
        let writable = rule.problem(path: "/d/f", mode: 0o100620, owner: 7, serviceUID: 7, isDirectory: false)
        #expect(writable?.contains("its group can change it") == true)
        let folder = rule.problem(path: "/d", mode: 0o040755, owner: 7, serviceUID: 7, isDirectory: true)
        #expect(folder == "/d is mode 0755: every user on this machine can enter it, and it holds secrets. Fix: chmod 700 /d")
    }

    @Test("files others may read but not change; and any entry owned by someone else than the service's user")
    func notWritableAndOwner() {
        let rule = FileRule(access: .notWritableByOthers, holds: "what runs")
        #expect(rule.problem(path: "/d/c", mode: 0o100644, owner: 7, serviceUID: 7, isDirectory: false) == nil)
        #expect(rule.problem(path: "/d/c", mode: 0o100664, owner: 7, serviceUID: 7, isDirectory: false)
            == "/d/c is mode 0664: its group can change it, and it decides what runs. Fix: chmod go-w /d/c")
        let foreign = rule.problem(path: "/d/c", mode: 0o100600, owner: 0, serviceUID: 7, isDirectory: false)
        #expect(foreign?.hasPrefix("/d/c belongs to uid 0") == true, "\(foreign ?? "nil")")
        #expect(foreign?.hasSuffix("Fix: chown 7 /d/c") == true, "\(foreign ?? "nil")")
    }

    @Test("the report: exit status from problems only, JSON summary, wrapped table")
    func report() throws {
        let fine = DoctorReport(dataDirectory: "/d", findings: [.ok("a", "fine"), .warning("b", "hmm"), .skipped("c", "later")])
        #expect(!fine.hasProblem)
        let broken = DoctorReport(dataDirectory: "/d", findings: fine.findings + [.problem("d", "broken")])
        #expect(broken.hasProblem)
        let json = broken.json
        #expect(json["healthy"] == .bool(false))
        #expect(json["summary"]?["problem"]?.numberValue?.int64 == 1)
        #expect(json["summary"]?["warning"]?.numberValue?.int64 == 1)
        #expect(json["findings"]?.arrayValue?.count == 4)
        #expect(broken.lines().last?.contains("(exit 1)") == true)
        #expect(fine.lines().last?.hasSuffix("no problems.") == true)
        let wrapped = DoctorReport.wrap(String(repeating: "word ", count: 40), width: 30)
        #expect(wrapped.allSatisfy { $0.count <= 30 })
        #expect(wrapped.joined(separator: " ") == String(repeating: "word ", count: 40).trimmingCharacters(in: .whitespaces))
        #expect(DoctorReport.wrap("/a/very/long/path/that/does/not/fit", width: 10) == ["/a/very/long/path/that/does/not/fit"])
    }
}

/// The local API's owner is read from /proc, so the local token is never offered to a stranger.
@Suite("doctor: who listens on a port")
struct ListeningSocketOwnerTests {
    @Test("a /proc/net/tcp table: only LISTEN rows on the port, by inode")
    func parsesTheTable() {
        let table = """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0 100 0 0 10 0
               1: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 4343 1 0 20 4 30 10 -1
               2: 00000000:1F91 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4444 1 0 100 0 0 10 0
            """
        #expect(ListeningSocketOwner.listening(in: table, port: 8080) == ["4242"])
        #expect(ListeningSocketOwner.listening(in: table, port: 8081) == ["4444"])
        #expect(ListeningSocketOwner.listening(in: table, port: 9) == [])
    }

    @Test("a socket this process listens on is found among its descriptors, and not among another's")
    func findsTheHolder() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(descriptor, pointer, length) == 0 && listen(descriptor, 1) == 0
                    && getsockname(descriptor, pointer, &length) == 0
            }
        }
        try #require(bound)
        let port = Int(UInt16(bigEndian: address.sin_port))
        let inodes = ListeningSocketOwner.listeningInodes(port: port)
        #expect(!inodes.isEmpty)
        #expect(ListeningSocketOwner.process(getpid(), holdsAnyOf: inodes) == true)
        // A process that surely does not hold it: a child that only sleeps (readable: our own uid).
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/sleep")
        child.arguments = ["5"]
        try child.run()
        defer { child.terminate() }
        #expect(ListeningSocketOwner.process(child.processIdentifier, holdsAnyOf: inodes) == false)
    }
}
