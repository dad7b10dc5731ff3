import CloudConnector
import ConnectorCore
import Foundation
import WebSocketTransport

/// The path to the cloud, step by step as the link takes it: DNS and TCP, TLS, the token endpoint
/// (whose answer also tells the cloud's time), and on request the WebSocket handshake.
extension Doctor {
    static let cloudChecks = ["cloud_address", "tls", "device_token", "clock", "websocket"]

    mutating func checkCloud(loop: WebSocketEventLoop?) async {
        guard let configuration, let cloud = configuration.cloud else {
            let why = configuration == nil ? "Not checked: the configuration has problems (above)." : "Standalone: no cloud is configured."
            for check in Self.cloudChecks { add(.skipped(check, why)) }
            return
        }
        guard !options.offline else {
            for check in Self.cloudChecks { add(.skipped(check, "Not checked: --offline.")) }
            return
        }
        guard let api = CloudHost(url: cloud.apiURL), let link = CloudHost(url: cloud.webSocketURL) else {
            // CloudEndpoint already refused URLs without a host; this only guards the parse here.
            for check in Self.cloudChecks { add(.skipped(check, "Not checked: the cloud URLs name no host and port to try.")) }
            return
        }
        await checkAddresses(api: api, link: link)
        guard let loop else {
            for check in Self.cloudChecks.dropFirst() {
                add(.problem(check, "Not checked: the HTTP client could not start (libwebsockets); `run` would fail the same way."))
            }
            return
        }
        await fetchToken(cloud: cloud, configuration: configuration, loop: loop)
        checkTLS(api: api, configuration: configuration)
        checkToken(configuration: configuration)
        checkClock()
        await checkHandshake(cloud: cloud, configuration: configuration, loop: loop)
    }

    mutating func checkAddresses(api: CloudHost, link: CloudHost) async {
        let hosts = api.host == link.host && api.port == link.port ? [api] : [api, link]
        for host in hosts {
            let outcome = await TCPProbe.probe(host: host.host, port: host.port, timeout: options.networkTimeout)
            let reachable: Bool
            switch outcome {
            case .connected(let address, let milliseconds):
                reachable = true
                add(.ok(
                    "cloud_address", "\(host.host) resolves to \(address); TCP port \(host.port) accepts connections (\(milliseconds) ms).",
                    [("host", .string(host.display)), ("address", .string(address))]))
            case .unresolved(let reason):
                reachable = false
                add(.problem(
                    "cloud_address",
                    "\(host.host) does not resolve (\(reason)): the connector cannot find the cloud, and queues every message until it can. Check the host name in \(host.scheme.hasPrefix("ws") ? "CLOUD_WS_URL" : "the API URL") and this machine's DNS (/etc/resolv.conf, `getent hosts \(host.host)`).",
                    [("host", .string(host.display))]))
            case .failed(let address, let reason):
                reachable = false
                add(.problem(
                    "cloud_address",
                    "\(host.display) (\(address)) cannot be reached: \(reason). The connector keeps every message and retries with backoff, but nothing reaches the cloud until this works. \(Self.advice(forConnectFailure: reason))",
                    [("host", .string(host.display)), ("address", .string(address)), ("reason", .string(reason))]))
            }
            if host == api { cloudAddressReachable = reachable }
        }
    }

    /// Every secret value this run holds, to scrub from texts that come from the cloud.
    var secrets: [String] {
        var secrets: [String] = []
        if let key = configuration?.apiKey?.revealed { secrets.append(key) }
        if let answer = tokenAnswer, case .issued(let token, _) = answer.outcome { secrets.append(token.revealed) }
        return secrets
    }

    static func advice(forConnectFailure reason: String) -> String {
        if reason.contains("refused") {
            return "Nothing listens on that port there: is the cloud up, and is the port in the URL right?"
        }
        if reason.contains("no answer") {
            return "Check firewalls between this machine and the cloud, and that the host is up."
        }
        return "Check the network route to the cloud (`ip route`, a proxy or VPN the machine needs)."
    }

    /// `GET {api}/device-token` exactly as the link sends it.
    mutating func fetchToken(cloud: CloudEndpoint, configuration: ConnectorConfiguration, loop: WebSocketEventLoop) async {
        guard let identity, cloudAddressReachable else { return }
        let probe = TokenProbe(
            loop: loop, apiURL: cloud.apiURL, displayAPIURL: cloud.displayAPIURL, deviceID: identity.deviceID,
            tenantID: identity.tenantID, apiKey: configuration.apiKey,
            tls: TLSConfiguration(caFile: configuration.caFile, allowInsecure: configuration.tlsInsecure),
            timeout: options.networkTimeout)
        switch await probe.run() {
        case .success(let answer): tokenAnswer = answer
        case .failure(let error): tokenFailure = error
        }
    }

    mutating func checkTLS(api: CloudHost, configuration: ConnectorConfiguration) {
        guard api.isSecure else {
            add(.skipped("tls", "\(api.scheme)://\(api.display) is not TLS: nothing to verify (see tls_settings)."))
            return
        }
        guard cloudAddressReachable else {
            add(.skipped("tls", "Not checked: no TCP connection to \(api.display) (see cloud_address)."))
            return
        }
        let trust = configuration.caFile.map { "CLOUD_CA_FILE=\($0)" } ?? "the system trust store"
        if tokenAnswer != nil {
            if configuration.tlsInsecure {
                add(.warning(
                    "tls",
                    "The TLS handshake with \(api.display) completed, but its certificate was not verified (CLOUD_TLS_INSECURE=1): this device cannot tell the cloud from an impostor. Set CLOUD_CA_FILE and unset CLOUD_TLS_INSECURE."))
            } else {
                add(.ok("tls", "\(api.display)'s certificate was verified against \(trust) for the host name \(api.host)."))
            }
            return
        }
        guard let tokenFailure else {
            add(.skipped("tls", "Not checked: no device id to ask the cloud with (see identity)."))
            return
        }
        switch tokenFailure {
        case .connectFailed(_, let reason):
            var advice: String
            if reason.contains("certificate") {
                advice = configuration.caFile.map {
                    "CLOUD_CA_FILE=\($0) may not hold the CA that signed the cloud's certificate. "
                } ?? "If the cloud's certificate comes from a private CA, set CLOUD_CA_FILE to that CA's PEM file. "
                advice += "Also check that \(api.host) is a name the certificate lists, and that this device's clock is right (a certificate is \"not yet valid\" to a clock that is behind)."
            } else {
                advice = "Something on \(api.display) accepts TCP but does not complete a TLS handshake: is it really the cloud's TLS port (not a plain http one)?"
            }
            add(.problem(
                "tls",
                "The TLS connection to \(api.display) failed: \(reason). The link uses the same TLS settings, so it cannot connect either. \(advice)",
                [("reason", .string(reason))]))
        case .timedOut:
            add(.problem(
                "tls",
                "\(api.display) accepted TCP but did not finish the TLS handshake and answer in time (\(tokenFailure)). A proxy or a server that does not speak TLS on that port? Try `openssl s_client -connect \(api.display)`."))
        default:
            add(.problem("tls", "The request to \(api.display) failed before any answer: \(tokenFailure)."))
        }
    }

    mutating func checkToken(configuration: ConnectorConfiguration) {
        guard let identity else {
            add(.skipped("device_token", "Not asked: this device has no id yet (see identity); `run` creates one, then the cloud must know it."))
            return
        }
        guard cloudAddressReachable else {
            add(.skipped("device_token", "Not asked: the cloud cannot be reached (see cloud_address)."))
            return
        }
        let who = "device \(identity.deviceID) in tenant \(identity.tenantID)"
        let key = configuration.apiKeyConfigured ? "CLOUD_API_KEY is set" : "CLOUD_API_KEY is not set"
        guard let answer = tokenAnswer else {
            if case .connectFailed = tokenFailure, CloudHost.isSecure(configuration.cloud?.apiURL ?? "") {
                add(.skipped("device_token", "Not asked: no TLS connection (see tls)."))
            } else {
                add(.problem(
                    "device_token",
                    "GET \(TokenProbe.endpoint(configuration.cloud?.displayAPIURL ?? "")) failed: \(tokenFailure.map { "\($0)" } ?? "no answer"). The link asks the same way, so it cannot get a token either."))
            }
            return
        }
        let endpoint = TokenProbe.endpoint(configuration.cloud?.displayAPIURL ?? "")
        let details: [(String, JSONValue)] = [("http_status", .int(answer.status))]
        let waiting = "While refused, the service keeps every message and asks again every 5 s to 5 min; a fix to the environment needs a restart of the service (systemctl restart cloud-connector)."
        switch answer.outcome {
        case .issued(_, let expiresIn):
            let lifetime = expiresIn.map { ", valid for \(DurationText.format(milliseconds: $0.inMilliseconds))" } ?? ""
            add(.ok("device_token", "\(endpoint) issued a token for \(who)\(lifetime) (not shown).", details))
        case .refused(401):
            add(.problem(
                "device_token",
                "\(endpoint) answered 401: the cloud does not accept this device's credentials (\(key)). The key is wrong, revoked, or missing; without a token the link cannot open. Put the key the cloud issued for \(who) in CLOUD_API_KEY (the service's environment file). \(waiting)",
                details))
        case .refused(let status):
            add(.problem(
                "device_token",
                "\(endpoint) answered \(status): the cloud recognizes the request but does not allow \(who). Register this device id with the cloud (`cloud-connector device` shows it), or check that TENANT_ID is the tenant the cloud expects. \(waiting)",
                details))
        case .unusable(let reason):
            add(.problem(
                "device_token",
                "\(reason): the link cannot get a token from it. Check that the API URL (\(configuration.cloud?.apiURLIsDerived == true ? "derived from CLOUD_WS_URL; set CLOUD_API_URL if the API lives elsewhere" : "CLOUD_API_URL") points at the cloud's API.",
                details))
        }
    }

    mutating func checkClock() {
        guard let answer = tokenAnswer else {
            add(.skipped("clock", "Not measured: the cloud gave no HTTP answer to read its Date from (see above)."))
            return
        }
        guard let date = answer.date else {
            add(.skipped(
                "clock",
                "The cloud's answer carries no Date header, so its clock cannot be read. Check this machine's clock another way (`timedatectl status`: \"System clock synchronized: yes\")."))
            return
        }
        let shownDate = SafeText.clean(String(date.prefix(64)), hiding: secrets)
        guard let cloudMS = HTTPDate.parseMilliseconds(date) else {
            add(.skipped("clock", "The cloud's Date header is not an HTTP date (\"\(shownDate)\"), so its clock cannot be read."))
            return
        }
        let skew = ClockSkew.measure(cloudDateMS: cloudMS, sentAtMS: answer.sentAtMS, roundTripMS: answer.roundTrip.inMilliseconds)
        let amount = DurationText.format(milliseconds: abs(skew.offsetMS))
        let direction = skew.offsetMS >= 0 ? "ahead" : "behind"
        let relation = skew.offsetMS >= 0 ? "ahead of" : "behind"
        let measured = "measured from the Date of the token answer, corrected by half the \(answer.roundTrip.inMilliseconds) ms round trip, ±\(DurationText.format(milliseconds: skew.uncertaintyMS))"
        let details: [(String, JSONValue)] = [
            ("skew_ms", .int(skew.offsetMS)), ("uncertainty_ms", .int(skew.uncertaintyMS)), ("cloud_date", .string(shownDate)),
        ]
        let why = "It matters: every event's and usage report's timestamp comes from this clock (timelines and billing days shift with it), the cloud judges token expiry by its own clock, and TLS certificates look not yet valid, or expired, to a clock that is far off. Turn on time synchronization (`timedatectl set-ntp true`, or chrony)."
        switch skew.status {
        case .ok:
            add(.ok("clock", "This clock is within \(DurationText.format(milliseconds: ClockSkew.warningMS)) of the cloud's: \(amount) \(direction) (\(measured)).", details))
        case .warning:
            add(.warning("clock", "This clock is \(amount) \(relation) the cloud's (\(measured)). \(why)", details))
        default:
            add(.problem("clock", "This clock is \(amount) \(relation) the cloud's (\(measured)). \(why)", details))
        }
    }
}
