import CloudConnector
import ConnectorCore
import Foundation
import Logging

/// The environment and flags `run` reads, and what they say about the link's security.
extension Doctor {
    mutating func checkSettings() {
        if let badLogLevel {
            let levels = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
            add(.problem(
                "configuration",
                "LOG_LEVEL=\(badLogLevel) is not a log level: `run` and every other command refuse to start (exit 78). Use one of \(levels), or unset it."))
        }
        for problem in checked.problems {
            add(.problem(
                "configuration",
                "\(problem.message) `run` refuses to start until this is fixed (exit 78); fix it where the service's environment is set (/etc/cloud-connector.env under systemd)."))
        }
        guard let configuration else {
            add(.skipped("cloud", "The cloud settings cannot be judged until the configuration above is fixed."))
            return
        }
        let device = configuration.deviceIDOverride.map { "DEVICE_ID \($0)" } ?? "the device id from <data>/device_id"
        add(.ok(
            "configuration",
            "Every setting is usable: \(device), tenant \(configuration.tenantID), durability \(configuration.durability.rawValue), outbox bound \(ByteCount.format(configuration.maxOutboxBytes)), retention \(DurationText.format(milliseconds: configuration.retentionMS)).",
            [
                ("tenant_id", .string(configuration.tenantID)), ("durability", .string(configuration.durability.rawValue)),
                ("max_outbox_bytes", .int(configuration.maxOutboxBytes)),
            ]))
        if configuration.durability == .normal {
            add(.warning(
                "configuration",
                "Durability is normal: commits are not fsynced, so the last appends before a power loss or kernel crash can be lost and the cloud would never get them (usage reports among them). Unset OUTBOX_DURABILITY (or set it to full) unless that trade is deliberate."))
        }
        guard let cloud = configuration.cloud else {
            add(.ok(
                "cloud",
                "CLOUD_WS_URL is not set: the connector runs standalone (R14) and keeps every message in the outbox until a cloud is configured. To connect it, set CLOUD_WS_URL and restart the service."))
            return
        }
        let api = cloud.apiURLIsDerived ? "derived from CLOUD_WS_URL" : "from CLOUD_API_URL"
        add(.ok(
            "cloud",
            "The link goes to \(cloud.displayWebSocketURL); tokens come from \(TokenProbe.endpoint(cloud.displayAPIURL)) (\(api)); CLOUD_API_KEY is \(configuration.apiKeyConfigured ? "set" : "not set").",
            [("cloud_ws_url", .string(cloud.displayWebSocketURL)), ("api_key", .string(configuration.apiKeyConfigured ? "set" : "unset"))]))
    }

    mutating func checkTLSSettings() {
        guard let configuration, let cloud = configuration.cloud else {
            add(.skipped("tls_settings", configuration == nil ? "Not judged: the configuration has problems (above)." : "Standalone: no cloud to secure."))
            return
        }
        let secureLink = CloudHost.isSecure(cloud.webSocketURL)
        let secureAPI = CloudHost.isSecure(cloud.apiURL)
        var flagged = false
        if configuration.tlsInsecure {
            flagged = true
            add(.warning(
                "tls_settings",
                secureLink || secureAPI
                    ? "CLOUD_TLS_INSECURE=1 turns certificate verification off: anyone who can intercept this device's traffic can pose as the cloud, receive its device token and CLOUD_API_KEY, and send it work. Set CLOUD_CA_FILE to the cloud's CA certificate instead, and unset CLOUD_TLS_INSECURE."
                    : "CLOUD_TLS_INSECURE=1 is set but the cloud URLs are not TLS, so it does nothing. Unset it."))
        }
        let plain = [(cloud.webSocketURL, secureLink), (cloud.apiURL, secureAPI)]
            .filter { !$0.1 && !CloudHost.isLoopback(CloudHost(url: $0.0)?.host ?? "") }
        if !plain.isEmpty {
            flagged = true
            let names = plain.map { CloudHost(url: $0.0).map { "\($0.scheme)://\($0.host)" } ?? "?" }
            add(.warning(
                "tls_settings",
                "\(names.joined(separator: " and ")) is not encrypted and not on this machine: the device token\(configuration.apiKeyConfigured ? ", CLOUD_API_KEY" : "") and every report (reply tokens, usage for billing) cross the network in clear text. Use wss:// (and https:// for CLOUD_API_URL)."))
        }
        if let caFile = configuration.caFile {
            let text = (try? String(contentsOfFile: caFile, encoding: .utf8)) ?? ""
            if !text.contains("-----BEGIN CERTIFICATE-----") {
                add(.problem(
                    "tls_settings",
                    "CLOUD_CA_FILE=\(caFile) holds no PEM certificate (no \"-----BEGIN CERTIFICATE-----\" line), so no server certificate can be verified and every wss:// or https:// connection fails. Point it at the PEM file of the CA that signed the cloud's certificate."))
                return
            }
            if !flagged {
                add(.ok("tls_settings", "Server certificates are verified against CLOUD_CA_FILE=\(caFile)."))
            }
        } else if !flagged {
            add(.ok(
                "tls_settings",
                secureLink || secureAPI
                    ? "Server certificates are verified against the system trust store (CLOUD_CA_FILE is not set)."
                    : "The cloud is on this machine (loopback), so plain ws:// and http:// stay local."))
        }
    }
}
