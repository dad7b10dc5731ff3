import ConnectorCore
import Foundation
import OutboxStore
import ReferenceCloud
import SocketTestSupport
import Testing
import WebSocketTransport

extension LinkSuites {
    /// `cloud-connector doctor`, the real binary against real files, stores and a reference cloud on
    /// loopback. The healthy setup passes every check; each test then breaks one thing and shows the
    /// check that guards it names it precisely (its negative control).
    @Suite("cloud-connector doctor", .timeLimit(.minutes(4)))
    struct DoctorTests {
        @Test("a healthy setup: every check ok (or skipped for a reason), the handshake too, exit 0; no token or key in the output")
        func healthy() async throws {
            let setup = try await DoctorSetup()
            let outcome = try await setup.doctor("--handshake")
            #expect(outcome.status == 0, "\(outcome)")
            for check in [
                "configuration", "cloud", "tls_settings", "data_dir", "config_file", "files", "service", "identity", "store",
                "store_integrity", "backlog", "quarantine", "disk_space", "local_api", "handlers", "cloud_address",
                "device_token", "clock", "websocket",
            ] {
                #expect(outcome.statuses(check) == ["ok"], "\(check): \(outcome.findings(check))")
            }
            #expect(outcome.statuses("link") == ["skipped"], "no service has reported a link yet")
            #expect(outcome.statuses("tls") == ["skipped"], "http:// has no TLS")
            #expect(outcome.json["healthy"] == .bool(true))
            #expect(outcome.has("device_token", "ok", "issued a token for device \(testDevice)", "(not shown)"))
            #expect(outcome.has("websocket", "ok", "connect_ack with acked_seq 0", "last seq 5"))
            #expect(outcome.has("handlers", "ok", "tools/echo"))
            let table = try await setup.doctor("--handshake", json: false)
            #expect(table.status == 0, "\(table)")
            #expect(table.stdout.contains("no problems."), "\(table)")
            let tokens = try setup.issuedTokens()
            #expect(tokens.count >= 2, "each run fetched a token")
            for secret in tokens + [DoctorSetup.apiKey] {
                #expect(!outcome.everything.contains(secret) && !table.everything.contains(secret), "a secret was printed")
            }
            await setup.finish()
        }

        @Test("loose permissions and a foreign owner: the data directory, the outbox and config.json each named with the fix")
        func permissions() async throws {
            let setup = try await DoctorSetup()
            chmod(setup.device, 0o750)
            chmod(setup.device + "/outbox.sqlite", 0o644)
            chmod(setup.device + "/config.json", 0o666)
            let outcome = try await setup.doctor("--offline")
            #expect(outcome.status == 1, "\(outcome)")
            #expect(outcome.has("data_dir", "problem", "\(setup.device) is mode 0750", "its group can enter it", "chmod 700 \(setup.device)"), "\(outcome)")
            #expect(outcome.has("files", "problem", "outbox.sqlite is mode 0644", "every user on this machine can read it", "chmod 600"), "\(outcome)")
            #expect(outcome.has("files", "problem", "config.json is mode 0666", "can change it", "chmod go-w"), "\(outcome)")
            chmod(setup.device + "/outbox.sqlite", 0o600)
            chmod(setup.device + "/config.json", 0o644)
            chmod(setup.device, 0o500)
            let readOnly = try await setup.doctor("--offline")
            #expect(readOnly.has("data_dir", "problem", "is mode 0500", "its owner cannot write into it"), "\(readOnly)")
            chmod(setup.device, 0o700)
            #expect(try await setup.doctor("--offline").status == 0)
            if geteuid() == 0 {
                // The service's user owns the data directory; files a command run as root left in it
                // (a -wal, a new store) are named, since the service could not write them.
                chown(setup.device, 65_534, 65_534)
                let foreign = try await setup.doctor("--offline")
                #expect(foreign.status == 1, "\(foreign)")
                #expect(foreign.has("files", "problem", "outbox.sqlite belongs to uid 0", "not to uid 65534", "chown 65534"), "\(foreign)")
                chown(setup.device, 0, 0)
            }
            await setup.finish()
        }

        @Test("a store of another tenant: identity names both owners and what run would do (R12)")
        func identityMismatch() async throws {
            let setup = try await DoctorSetup()
            let outcome = try await setup.doctor("--offline", environment: ["TENANT_ID": "another-tenant"])
            #expect(outcome.status == 1, "\(outcome)")
            #expect(outcome.has("identity", "problem", "belongs to device \(testDevice) in tenant \(testTenant)", "in tenant another-tenant", "R12"), "\(outcome)")
            await setup.finish()
        }

        @Test("store integrity: bounded by --time-limit (then skipped with how to run it fully), clean, then damaged pages named, with --full too")
        func integrity() async throws {
            let setup = try await DoctorSetup()
            try await setup.harness.append(count: 20_000, batch: 500)
            // Acked: the cheap reads then touch no message page, so only the integrity check meets the damage.
            _ = try setup.harness.store.acknowledgeAndWait(through: 20_005)
            setup.harness.store.close()
            let bounded = try await setup.doctor("--offline", "--time-limit", "1ms")
            #expect(bounded.has("store_integrity", "skipped", "did not finish within 1ms", "doctor --full"), "\(bounded)")
            #expect(bounded.status == 0, "an unfinished check is not a problem")
            #expect(try await setup.doctor("--offline").has("store_integrity", "ok", "quick_check found no damage"))

            let path = setup.device + "/outbox.sqlite"
            let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
            let pages = Int(try handle.seekToEnd()) / 8192
            for page in [pages / 3, pages / 2, pages / 2 + 1] {
                try handle.seek(toOffset: UInt64(page * 8192))
                try handle.write(contentsOf: Data(repeating: 0x5A, count: 8192))
            }
            try handle.close()
            let damaged = try await setup.doctor("--offline")
            #expect(damaged.status == 1, "\(damaged)")
            #expect(damaged.has("store_integrity", "problem", "PRAGMA quick_check reports damage", "outbox verify"), "\(damaged)")
            let full = try await setup.doctor("--offline", "--full")
            #expect(full.has("store_integrity", "problem", "PRAGMA integrity_check reports damage"), "\(full)")
            await setup.finish()
        }

        @Test("the backlog against the size bound, free disk space against the bound, and a store moved aside")
        func backlogDiskAndQuarantine() async throws {
            let setup = try await DoctorSetup()
            while try setup.harness.store.makeReader().sequenceState().heldBytes < 1_200_000 {
                try await setup.harness.append(count: 100, batch: 100, seed: UInt64.random(in: 1...UInt64.max))
            }
            let full = try await setup.doctor("--offline", environment: ["OUTBOX_MAX_BYTES": "1MiB"])
            #expect(full.status == 1, "\(full)")
            #expect(full.has("backlog", "problem", "of the 1 MiB bound", "the outbox is full"), "\(full)")
            let half = try await setup.doctor("--offline", environment: ["OUTBOX_MAX_BYTES": "2MiB"])
            #expect(half.has("backlog", "warning", "past half of it"), "\(half)")
            #expect(half.status == 0, "a warning is no problem")
            let huge = try await setup.doctor("--offline", environment: ["OUTBOX_MAX_BYTES": "1000000TiB"])
            #expect(huge.has("disk_space", "warning", "the disk would fill first", "lower OUTBOX_MAX_BYTES"), "\(huge)")
            #expect(huge.statuses("backlog") == ["ok"])

            let moved = setup.device + "/outbox.sqlite.corrupt-20261203T161000Z"
            _ = FileManager.default.createFile(atPath: moved, contents: Data(count: 4096), attributes: [.posixPermissions: 0o600])
            let quarantined = try await setup.doctor("--offline")
            #expect(quarantined.has("quarantine", "warning", moved, "cloud-connector outbox salvage"), "\(quarantined)")
            await setup.finish()
        }

        @Test("the local API port taken by another program while no service runs: run would stop, the port is named")
        func localAPIPortTaken() async throws {
            let setup = try await DoctorSetup()
            let squatter = try SilentListener()
            try setup.writeConfig(#"{"local_api": {"port": \#(squatter.port)}}"#)
            let outcome = try await setup.doctor("--offline")
            #expect(outcome.status == 1, "\(outcome)")
            #expect(outcome.has("local_api", "problem", "127.0.0.1:\(squatter.port) is taken by another program", "exit 69"), "\(outcome)")
            squatter.close()
            #expect(try await setup.doctor("--offline").has("local_api", "ok", "127.0.0.1:\(squatter.port) is free"))
            await setup.finish()
        }

        @Test("handlers: one not executable, one writable by others, and a messaging handler that is not installed")
        func handlers() async throws {
            let setup = try await DoctorSetup()
            let tools = setup.device + "/handlers/tools"
            _ = FileManager.default.createFile(atPath: tools + "/not-executable", contents: Data("#!/bin/sh\n".utf8), attributes: [.posixPermissions: 0o600])
            _ = FileManager.default.createFile(atPath: tools + "/shared", contents: Data("#!/bin/sh\n".utf8), attributes: [.posixPermissions: 0o777])
            chmod(tools + "/shared", 0o777)
            try setup.writeConfig(#"{"local_api": {"port": 0}, "messaging": {"handler": "reply-bot"}}"#)
            let outcome = try await setup.doctor("--offline")
            #expect(outcome.status == 1, "\(outcome)")
            #expect(outcome.has("handlers", "problem", "tools/not-executable", "is not executable", "unsafe_handler"), "\(outcome)")
            #expect(outcome.has("handlers", "problem", "tools/shared", "writable by others"), "\(outcome)")
            #expect(outcome.has("handlers", "problem", "messaging.handler names tools/reply-bot"), "\(outcome)")
            #expect(!outcome.findings("handlers").contains { $0.message.contains("tools/echo") }, "the good handler is not blamed")
            await setup.finish()
        }

        @Test("401 from the token endpoint: named with what it means and what to do; the clock is still read from the refusal")
        func tokenRefused401() async throws {
            let setup = try await DoctorSetup(faults: CloudFaults(refuseTokens: true))
            let outcome = try await setup.doctor("--handshake")
            #expect(outcome.status == 1, "\(outcome)")
            #expect(outcome.has("device_token", "problem", "answered 401", "CLOUD_API_KEY is set", "keeps every message"), "\(outcome)")
            #expect(outcome.statuses("clock") == ["ok"], "the 401 carries a Date too: \(outcome.findings("clock"))")
            #expect(outcome.has("websocket", "skipped", "no device token"))
            #expect(!outcome.everything.contains(DoctorSetup.apiKey))
            await setup.finish()
        }

        @Test("403 from the token endpoint: this device is not allowed; register it or fix the tenant")
        func tokenRefused403() async throws {
            let setup = try await DoctorSetup(faults: CloudFaults(refusedDevices: [testDevice]))
            let outcome = try await setup.doctor()
            #expect(outcome.status == 1, "\(outcome)")
            #expect(outcome.has("device_token", "problem", "answered 403", "device \(testDevice) in tenant \(testTenant)", "Register"), "\(outcome)")
            await setup.finish()
        }

        @Test("an unreachable cloud (a closed port): connection refused, named; the steps behind it skipped, not blamed")
        func unreachable() async throws {
            let setup = try await DoctorSetup()
            let closed = try SilentListener()
            closed.close()
            let outcome = try await setup.doctor(environment: ["CLOUD_WS_URL": "ws://127.0.0.1:\(closed.port)/ws"])
            #expect(outcome.status == 1, "\(outcome)")
            #expect(outcome.has("cloud_address", "problem", "127.0.0.1:\(closed.port)", "connection refused", "Nothing listens"), "\(outcome)")
            #expect(outcome.statuses("device_token") == ["skipped"])
            #expect(outcome.statuses("clock") == ["skipped"])
            await setup.finish()
        }

        @Test("clock skew from the token answer's Date: an hour off is a problem, 10 s a warning, no Date is skipped with the reason")
        func clockSkew() async throws {
            let setup = try await DoctorSetup()
            let server = try RawHTTPServer()
            defer { server.close() }
            let token = "raw-cloud-token-\(UUID().uuidString)"
            let cloudURL = "ws://127.0.0.1:\(server.port)/ws"
            func run(dateOffsetMS: Int64?) async throws -> DoctorOutcome {
                let answering = Task { await Self.answerTokenRequests(server, token: token, dateOffsetMS: dateOffsetMS) }
                defer { answering.cancel() }
                return try await setup.doctor(environment: ["CLOUD_WS_URL": cloudURL])
            }
            let hourSlow = try await run(dateOffsetMS: -3_600_000)
            #expect(hourSlow.status == 1, "\(hourSlow)")
            #expect(hourSlow.has("clock", "problem", "ahead of the cloud's", "timedatectl"), "\(hourSlow)")
            let skew = hourSlow.findings.first { $0["check"]?.stringValue == "clock" }?["details"]?["skew_ms"]?.numberValue?.int64 ?? 0
            #expect(abs(skew - 3_600_000) < 5_000, "\(skew)")
            #expect(hourSlow.statuses("device_token") == ["ok"])
            let tenAhead = try await run(dateOffsetMS: 10_000)
            #expect(tenAhead.has("clock", "warning", "behind the cloud's"), "\(tenAhead)")
            #expect(tenAhead.status == 0, "\(tenAhead)")
            let undated = try await run(dateOffsetMS: nil)
            #expect(undated.has("clock", "skipped", "no Date header"), "\(undated)")
            for outcome in [hourSlow, tenAhead, undated] {
                #expect(!outcome.everything.contains(token), "the token was printed")
            }
            await setup.finish()
        }

        /// Answers `GET /device-token` with a token and a Date `dateOffsetMS` from now (none when nil);
        /// other connections (doctor's TCP probe) are closed unanswered.
        static func answerTokenRequests(_ server: RawHTTPServer, token: String, dateOffsetMS: Int64?) async {
            while !Task.isCancelled {
                guard let exchange = try? await server.accept(timeout: .seconds(30)) else { continue }
                defer { exchange.close() }
                guard exchange.requestLine.hasPrefix("GET /device-token") else { continue }
                let body = #"{"token": "\#(token)", "expires_in": 60}"#
                let now = Int64(Date().timeIntervalSince1970 * 1000)
                let date = dateOffsetMS.map { "Date: \(HTTPDate.format(milliseconds: now + $0))\r\n" } ?? ""
                exchange.write(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\(date)Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
                exchange.finishWriting()
                return
            }
        }

        @Test("TLS: an unknown CA fails with the certificate's real reason and what to set; CLOUD_CA_FILE passes; CLOUD_TLS_INSECURE warns")
        func tls() async throws {
            let certificates = try TestCertificates.make()
            defer { certificates.remove() }
            let setup = try await DoctorSetup(
                tls: TLSConfiguration(certificateFile: certificates.certificateFile, privateKeyFile: certificates.privateKeyFile))
            #expect(setup.environment["CLOUD_WS_URL"]?.hasPrefix("wss://") == true)
            let unknown = try await setup.doctor()
            #expect(unknown.status == 1, "\(unknown)")
            #expect(unknown.has("tls", "problem", "certificate verification failed", "set CLOUD_CA_FILE"), "\(unknown)")
            #expect(unknown.statuses("device_token") == ["skipped"])
            let trusted = try await setup.doctor(environment: ["CLOUD_CA_FILE": certificates.caFile])
            #expect(trusted.status == 0, "\(trusted)")
            #expect(trusted.has("tls", "ok", "verified against CLOUD_CA_FILE=\(certificates.caFile)"), "\(trusted)")
            #expect(trusted.statuses("device_token") == ["ok"])
            let insecure = try await setup.doctor(environment: ["CLOUD_TLS_INSECURE": "1"])
            #expect(insecure.status == 0, "\(insecure)")
            #expect(insecure.has("tls_settings", "warning", "turns certificate verification off"), "\(insecure)")
            #expect(insecure.has("tls", "warning", "not verified"), "\(insecure)")
            await setup.finish()
        }

        @Test("bad settings: every invalid one named (not only the first), a bad LOG_LEVEL and config.json's bad key too; standalone is a note, not a problem")
        func settings() async throws {
            let setup = try await DoctorSetup()
            try setup.writeConfig(#"{"local_api": {"port": 0}, "executr": {"type": "command"}}"#)
            let bad = try await setup.doctor(environment: [
                "OUTBOX_MAX_BYTES": "12", "CLOUD_WS_URL": "ftp://cloud.example", "TENANT_ID": "a b", "LOG_LEVEL": "loud",
            ])
            #expect(bad.status == 1, "\(bad)")
            #expect(bad.findings("configuration").count == 4, "\(bad.findings("configuration"))")
            for name in ["OUTBOX_MAX_BYTES", "CLOUD_WS_URL", "TENANT_ID", "LOG_LEVEL=loud"] {
                #expect(bad.has("configuration", "problem", name, "exit 78"), "\(name): \(bad)")
            }
            #expect(bad.has("config_file", "problem", "executr is not a setting"), "\(bad)")
            #expect(bad.statuses("data_dir") == ["ok"], "the data directory is still checked")

            try setup.writeConfig(#"{"local_api": {"port": 0}}"#)
            var standalone = setup.environment
            standalone["CLOUD_WS_URL"] = nil
            let alone = try await DoctorSetup.run(["doctor", "--data-dir", setup.device, "--json"], environment: standalone)
            #expect(alone.status == 0, "\(alone)")
            #expect(alone.has("cloud", "ok", "standalone"), "\(alone)")
            for check in ["cloud_address", "device_token", "clock", "websocket"] {
                #expect(alone.statuses(check) == ["skipped"], "\(check)")
            }
            await setup.finish()
        }

        @Test("risks that still work are warnings, exit 0: a cloud over plain ws:// off this machine, and durability normal")
        func warnings() async throws {
            let setup = try await DoctorSetup()
            let outcome = try await setup.doctor(
                "--offline", environment: ["CLOUD_WS_URL": "ws://cloud.example.com/ws", "OUTBOX_DURABILITY": "normal"])
            #expect(outcome.status == 0, "\(outcome)")
            #expect(outcome.has("tls_settings", "warning", "ws://cloud.example.com and http://cloud.example.com", "clear text", "wss://"), "\(outcome)")
            #expect(outcome.has("configuration", "warning", "Durability is normal", "power loss"), "\(outcome)")
            await setup.finish()
        }

        @Test("beside a running service: its pid, its live link and its local API are recognized, and its session is left alone unless --handshake")
        func besideTheService() async throws {
            let setup = try await DoctorSetup()
            setup.harness.store.close()
            let port = try { let probe = try SilentListener(); defer { probe.close() }; return probe.port }()
            try setup.writeConfig(#"{"local_api": {"port": \#(port)}}"#)
            var env = setup.environment
            env["CLOUD_CONNECTOR_DATA_DIR"] = setup.device
            let service = try ConnectorProcess(["run"], environment: env, logPath: setup.harness.directory + "/run.log")
            let reader = try StoreReaderForTests(directory: setup.device)
            try await eventually("the service live") { try reader.linkStatus()?.state == "live" && reader.backlog().ackedSeq == 5 }
            let sessions = try reader.linkStatus()?.sessions

            let outcome = try await setup.doctor()
            #expect(outcome.status == 0, "\(outcome)\n\(service.log)")
            #expect(outcome.has("service", "ok", "pid \(service.pid)"), "\(outcome)")
            #expect(outcome.has("link", "ok", "live"), "\(outcome)")
            #expect(outcome.has("local_api", "ok", "listens on 127.0.0.1:\(port)"), "\(outcome)")
            #expect(outcome.statuses("websocket") == ["skipped"])
            try await Task.sleep(for: .milliseconds(500))
            #expect(try reader.linkStatus()?.sessions == sessions, "doctor without --handshake must not touch the service's session")
            #expect(!outcome.everything.contains(DoctorSetup.apiKey))

            // The reason it is opt-in: the reference cloud keeps one session per device, so the service is kicked and reconnects.
            let handshake = try await setup.doctor("--handshake")
            #expect(handshake.has("websocket", "ok", "accepted the session", "may have been closed"), "\(handshake)")
            try await eventually("the service back after the handshake replaced its session") {
                let link = try reader.linkStatus()
                return link?.state == "live" && (link?.sessions ?? 0) > (sessions ?? 0)
            }
            for secret in try setup.issuedTokens() + [DoctorSetup.apiKey] {
                #expect(!handshake.everything.contains(secret))
            }
            service.signal(SIGTERM)
            #expect(try await service.waitForExit() == 0, "\(service.log)")
            await setup.finish()
        }
    }
}
