import CloudConnector
import OutboxStore
import Testing

@Suite("Configuration parsing (pure, from an environment dictionary)")
struct ConfigurationTests {
    let home = ["HOME": "/home/ada"]

    func parse(_ environment: [String: String], _ flags: ConnectorConfiguration.Flags = .init()) throws -> ConnectorConfiguration {
        try ConnectorConfiguration.parse(environment: environment, flags: flags, workingDirectory: "/work")
    }

    func failure(_ environment: [String: String], _ flags: ConnectorConfiguration.Flags = .init()) -> ConfigurationError? {
        do {
            _ = try parse(environment, flags)
            return nil
        } catch let error as ConfigurationError {
            return error
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    @Test("defaults: ~/.mindscape, tenant local, standalone, full durability, 512MiB, 30d")
    func defaults() throws {
        let configuration = try parse(home)
        #expect(configuration.dataDirectory == "/home/ada/.mindscape")
        #expect(configuration.deviceIDOverride == nil)
        #expect(configuration.tenantID == "local")
        #expect(configuration.isStandalone)
        #expect(configuration.durability == .full)
        #expect(configuration.maxOutboxBytes == 512 * 1024 * 1024)
        #expect(configuration.retentionMS == 30 * 86_400_000)
        #expect(configuration.outboxOptions.durability == .full)
    }

    @Test("check names every unusable setting, not only the first, and still resolves the data directory; parse throws the first")
    func checkNamesEveryProblem() {
        var environment = home
        environment["TENANT_ID"] = "a b"
        environment["CLOUD_WS_URL"] = "ftp://cloud.example"
        environment["OUTBOX_MAX_BYTES"] = "12"
        environment["CLOUD_TLS_INSECURE"] = "maybe"
        let checked = ConnectorConfiguration.check(environment: environment, workingDirectory: "/work")
        #expect(checked.configuration == nil)
        #expect(checked.dataDirectory == "/home/ada/.mindscape")
        let messages = checked.problems.map(\.message)
        #expect(messages.count == 4, "\(messages)")
        for name in ["TENANT_ID", "CLOUD_WS_URL", "CLOUD_TLS_INSECURE", "OUTBOX_MAX_BYTES"] {
            #expect(messages.contains { $0.hasPrefix(name) }, "\(name) not named: \(messages)")
        }
        #expect(failure(environment)?.message == messages.first)
        let fine = ConnectorConfiguration.check(environment: home, workingDirectory: "/work")
        #expect(fine.problems.isEmpty)
        #expect(fine.configuration == (try? parse(home)))
    }

    @Test("data directory: --data-dir beats CLOUD_CONNECTOR_DATA_DIR beats $HOME/.mindscape")
    func dataDirectoryOrder() throws {
        var environment = home
        environment["CLOUD_CONNECTOR_DATA_DIR"] = "/srv/env-dir/"
        #expect(try parse(environment).dataDirectory == "/srv/env-dir")
        #expect(try parse(environment, .init(dataDirectory: "/srv/flag-dir")).dataDirectory == "/srv/flag-dir")
        #expect(try parse(environment, .init(dataDirectory: "relative/dir")).dataDirectory == "/work/relative/dir")
        #expect(try parse(environment, .init(dataDirectory: "~/x")).dataDirectory == "/home/ada/x")
        environment["CLOUD_CONNECTOR_DATA_DIR"] = ""
        #expect(try parse(environment).dataDirectory == "/home/ada/.mindscape", "empty counts as unset")
        #expect(failure([:])?.message.contains("HOME is not set") == true)
        #expect(failure(home, .init(dataDirectory: ""))?.kind == .invalidSetting)
    }

    @Test("DEVICE_ID and TENANT_ID: validated, empty means unset")
    func identifiers() throws {
        #expect(try parse(home.merging(["DEVICE_ID": "dev-42", "TENANT_ID": "acme"]) { $1 }).deviceIDOverride == "dev-42")
        #expect(try parse(home.merging(["DEVICE_ID": "", "TENANT_ID": ""]) { $1 }).tenantID == "local")
        #expect(try parse(home.merging(["DEVICE_ID": ""]) { $1 }).deviceIDOverride == nil)
        let withSpace = failure(home.merging(["DEVICE_ID": "dev 42"]) { $1 })
        #expect(withSpace?.kind == .invalidSetting)
        #expect(withSpace?.message.contains("DEVICE_ID") == true)
        #expect(failure(home.merging(["DEVICE_ID": String(repeating: "a", count: 257)]) { $1 }) != nil)
        #expect(try parse(home.merging(["DEVICE_ID": String(repeating: "a", count: 256)]) { $1 }).deviceIDOverride?.count == 256)
        #expect(failure(home.merging(["DEVICE_ID": "dév"]) { $1 }) != nil, "non-ASCII cannot travel in X-Device-Id")
        #expect(failure(home.merging(["TENANT_ID": "a\tb"]) { $1 })?.message.contains("TENANT_ID") == true)
    }

    @Test("CLOUD_WS_URL: unset or empty = standalone; ws/wss with a host; API URL derived or given")
    func cloudURL() throws {
        #expect(try parse(home.merging(["CLOUD_WS_URL": ""]) { $1 }).isStandalone)
        let cloud = try #require(try parse(home.merging(["CLOUD_WS_URL": "wss://cloud.example.com:8443/ws"]) { $1 }).cloud)
        #expect(cloud.apiURL == "https://cloud.example.com:8443")
        #expect(cloud.apiURLIsDerived)
        // Schemes are case-insensitive: an upper-case WSS:// never sends the API key over plain http.
        let shouted = try #require(try parse(home.merging(["CLOUD_WS_URL": "WSS://cloud.example.com/ws"]) { $1 }).cloud)
        #expect(shouted.apiURL == "https://cloud.example.com")
        let plain = try #require(try parse(home.merging(["CLOUD_WS_URL": "ws://10.0.0.5/connect"]) { $1 }).cloud)
        #expect(plain.apiURL == "http://10.0.0.5")
        let given = try #require(
            try parse(home.merging(["CLOUD_WS_URL": "wss://a.example/ws", "CLOUD_API_URL": "https://api.example/v1"]) { $1 }).cloud)
        #expect(given.apiURL == "https://api.example/v1")
        #expect(!given.apiURLIsDerived)

        #expect(failure(home.merging(["CLOUD_WS_URL": "https://cloud.example.com"]) { $1 })?.message.contains("ws:// or wss://") == true)
        #expect(failure(home.merging(["CLOUD_WS_URL": "wss://"]) { $1 })?.message.contains("no host") == true)
        #expect(failure(home.merging(["CLOUD_WS_URL": "cloud.example.com"]) { $1 })?.kind == .invalidSetting)
        #expect(failure(home.merging(["CLOUD_WS_URL": "wss://a.example", "CLOUD_API_URL": "ftp://x"]) { $1 })?.message.contains("CLOUD_API_URL") == true)
    }

    @Test("the displayed cloud URL never carries credentials")
    func displayHidesCredentials() throws {
        let environment = home.merging(["CLOUD_WS_URL": "wss://user:hunter2@cloud.example.com/ws?token=abc123", "CLOUD_API_KEY": "key-xyz"]) { $1 }
        let configuration = try parse(environment)
        let cloud = try #require(configuration.cloud)
        for shown in [cloud.displayWebSocketURL, cloud.displayAPIURL] {
            #expect(!shown.contains("hunter2") && !shown.contains("abc123") && !shown.contains("user"))
        }
        #expect(cloud.displayWebSocketURL.hasPrefix("wss://[redacted]@cloud.example.com/ws"))
        #expect(configuration.apiKeyConfigured)
    }

    @Test("durability, size bound and retention: flags beat env, units parsed, bad values named")
    func storeSettings() throws {
        let environment = home.merging(["OUTBOX_DURABILITY": "normal", "OUTBOX_MAX_BYTES": "1GiB", "OUTBOX_RETENTION": "12h"]) { $1 }
        let fromEnvironment = try parse(environment)
        #expect(fromEnvironment.durability == .normal)
        #expect(fromEnvironment.maxOutboxBytes == 1 << 30)
        #expect(fromEnvironment.retentionMS == 12 * 3_600_000)
        let fromFlags = try parse(environment, .init(durability: "FULL", maxOutboxBytes: "536870912", retention: "90m"))
        #expect(fromFlags.durability == .full)
        #expect(fromFlags.maxOutboxBytes == 536_870_912)
        #expect(fromFlags.retentionMS == 90 * 60_000)

        #expect(failure(home, .init(durability: "fast"))?.message.contains("--durability") == true)
        #expect(failure(home.merging(["OUTBOX_DURABILITY": "off"]) { $1 })?.message.contains("OUTBOX_DURABILITY") == true)
        #expect(failure(home, .init(maxOutboxBytes: "lots"))?.message.contains("--max-outbox-bytes") == true)
        #expect(failure(home, .init(maxOutboxBytes: "512"))?.message.contains("at least 1MiB") == true)
        #expect(failure(home.merging(["OUTBOX_RETENTION": "a month"]) { $1 })?.message.contains("OUTBOX_RETENTION") == true)
    }

    @Test("byte sizes and durations as people write them")
    func units() {
        #expect(ByteCount.parse("512MiB") == 512 << 20)
        #expect(ByteCount.parse("1 GiB") == 1 << 30)
        #expect(ByteCount.parse("64kib") == 64 << 10)
        #expect(ByteCount.parse("500MB") == 500_000_000)
        #expect(ByteCount.parse("1048576") == 1_048_576)
        #expect(ByteCount.parse("100B") == 100)
        for bad in ["", "MiB", "1.5GiB", "-1", "12 apples", "99999999999TiB"] {
            #expect(ByteCount.parse(bad) == nil, "\(bad)")
        }
        #expect(DurationText.parseMilliseconds("30d") == Int64(30 * 86_400_000))
        #expect(DurationText.parseMilliseconds("12h") == Int64(12 * 3_600_000))
        #expect(DurationText.parseMilliseconds("90m") == Int64(90 * 60_000))
        #expect(DurationText.parseMilliseconds("45s") == 45_000)
        #expect(DurationText.parseMilliseconds("250ms") == 250)
        #expect(DurationText.parseMilliseconds("0s") == 0)
        for bad in ["", "d", "30", "1.5h", "-2h", "2 days"] {
            #expect(DurationText.parseMilliseconds(bad) == nil, "\(bad)")
        }
        #expect(DurationText.format(milliseconds: 850) == "850ms")
        #expect(DurationText.format(milliseconds: 1_500) == "1.5s")
        #expect(DurationText.format(milliseconds: 3_723_000) == "1h 2m")
        #expect(DurationText.format(milliseconds: 2 * 86_400_000) == "2d")
    }
}
