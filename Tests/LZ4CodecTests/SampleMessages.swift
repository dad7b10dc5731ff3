import ConnectorCore
/// Deterministic, realistic protocol messages for ratio checks and dictionary training: the
/// shapes the outbox actually stores (execution events, progress, heartbeats, logs, metering),
/// with ids, timestamps and free-text that vary from message to message.
struct SampleMessages {
    private var random: SplitMix64

    init(seed: UInt64) {
        random = SplitMix64(seed: seed)
    }

    mutating func next() -> [UInt8] {
        let kind = random.below(11)
        let json: String
        switch kind {
        case 0...3: json = progress()
        case 10: json = stateChange()
        case 4: json = started()
        case 5: json = completed()
        case 6: json = heartbeat()
        case 7: json = logBatch()
        case 8: json = metering()
        default: json = failure()
        }
        return Array(json.utf8)
    }

    mutating func messages(_ count: Int) -> [[UInt8]] {
        (0..<count).map { _ in next() }
    }

    // MARK: - Message kinds

    private mutating func envelope(_ type: String, _ payload: String) -> String {
        """
        {"type":"\(type)","messageId":"\(uuid())","deviceId":"lc-\(hex(4))-\(hex(2))","sentAt":"\(timestamp())",\
        "seq":\(random.below(5_000_000)),"protocolVersion":"2.3","payload":\(payload)}
        """
    }

    private mutating func progress() -> String {
        let steps = 2 + random.below(30)
        let step = random.below(steps)
        return envelope(
            "execution.progress",
            """
            {"executionId":"\(uuid())","workflowId":"wf_\(hex(6))","stepIndex":\(step),"stepCount":\(steps),\
            "percent":\(random.below(1000) / 10).\(random.below(10)),"state":"running",\
            "message":"\(sentence(4 + random.below(10)))","updatedAt":"\(timestamp())"}
            """)
    }

    private mutating func stateChange() -> String {
        envelope(
            "execution.state",
            """
            {"executionId":"\(uuid())","state":"\(pick(["queued", "running", "paused", "resumed"]))",\
            "at":"\(timestamp())"}
            """)
    }

    private mutating func started() -> String {
        envelope(
            "execution.started",
            """
            {"executionId":"\(uuid())","workflowId":"wf_\(hex(6))","workflowName":"\(words(2, separator: "-"))",\
            "trigger":{"kind":"\(pick(["schedule", "manual", "webhook", "sensor"]))","requestedBy":"user_\(hex(5))"},\
            "parameters":{"batchSize":\(random.below(500)),"dryRun":\(random.below(2) == 0),\
            "target":"\(words(1, separator: ""))-\(random.below(99))"},"startedAt":"\(timestamp())"}
            """)
    }

    private mutating func completed() -> String {
        let outcome = pick(["succeeded", "succeeded", "succeeded", "cancelled", "failed"])
        return envelope(
            "execution.completed",
            """
            {"executionId":"\(uuid())","workflowId":"wf_\(hex(6))","outcome":"\(outcome)",\
            "startedAt":"\(timestamp())","finishedAt":"\(timestamp())","durationMs":\(random.below(3_600_000)),\
            "metrics":{"itemsProcessed":\(random.below(100_000)),"itemsSkipped":\(random.below(50)),\
            "bytesRead":\(random.below(1 << 30)),"bytesWritten":\(random.below(1 << 28)),"retries":\(random.below(4))},\
            "summary":"\(sentence(6 + random.below(14)))"}
            """)
    }

    private mutating func heartbeat() -> String {
        envelope(
            "device.heartbeat",
            """
            {"uptimeSeconds":\(random.below(10_000_000)),"cpuPercent":\(random.below(100)).\(random.below(10)),\
            "memory":{"usedBytes":\(random.below(1 << 33)),"totalBytes":8589934592},\
            "disk":{"usedBytes":\(random.below(1 << 36)),"totalBytes":137438953472},\
            "agentVersion":"1.\(random.below(20)).\(random.below(30))","queueDepth":\(random.below(2000)),\
            "link":{"state":"connected","rttMs":\(random.below(400)),"reconnects":\(random.below(10))}}
            """)
    }

    private mutating func logBatch() -> String {
        let entries = (0..<(1 + random.below(8))).map { _ in
            """
            {"at":"\(timestamp())","level":"\(pick(["debug", "info", "info", "notice", "warning", "error"]))",\
            "logger":"\(pick(["scheduler", "executor", "storage", "link", "sensor.bridge"]))",\
            "text":"\(sentence(5 + random.below(16)))"}
            """
        }
        return envelope("log.batch", "{\"executionId\":\"\(uuid())\",\"entries\":[\(entries.joined(separator: ","))]}")
    }

    private mutating func metering() -> String {
        let records = (0..<(1 + random.below(6))).map { _ in
            """
            {"meter":"\(pick(["cpu.seconds", "storage.gb_hours", "egress.bytes", "executions.count", "api.calls"]))",\
            "value":\(random.below(1_000_000)),"windowStart":"\(timestamp())","windowEnd":"\(timestamp())"}
            """
        }
        return envelope(
            "metering.usage", "{\"accountId\":\"acct_\(hex(8))\",\"records\":[\(records.joined(separator: ","))]}")
    }

    private mutating func failure() -> String {
        envelope(
            "execution.failed",
            """
            {"executionId":"\(uuid())","workflowId":"wf_\(hex(6))","stepIndex":\(random.below(20)),\
            "error":{"code":"\(pick(["E_TIMEOUT", "E_IO", "E_PERMISSION", "E_UPSTREAM", "E_VALIDATION"]))",\
            "message":"\(sentence(6 + random.below(12)))","retryable":\(random.below(2) == 0),\
            "attempt":\(1 + random.below(5))},"failedAt":"\(timestamp())"}
            """)
    }

    // MARK: - Varied parts

    private static let vocabulary = [
        "copying", "files", "from", "staging", "to", "archive", "volume", "checking", "checksums", "for",
        "batch", "records", "uploaded", "waiting", "on", "upstream", "service", "retrying", "connection",
        "sensor", "readings", "calibrated", "temperature", "pressure", "valve", "opened", "closed", "pump",
        "cycle", "complete", "scanning", "directory", "indexed", "documents", "compressing", "snapshot",
        "of", "database", "replica", "lagging", "behind", "primary", "by", "seconds", "queue", "drained",
        "exported", "report", "customer", "invoice", "generated", "skipped", "duplicate", "entry", "the",
        "with", "after", "timeout", "while", "resolving", "host", "certificate", "expires", "soon", "disk",
        "usage", "above", "threshold", "rotated", "logs", "migrated", "schema", "version", "applied",
    ]

    private mutating func words(_ count: Int, separator: String) -> String {
        (0..<count).map { _ in pick(Self.vocabulary) }.joined(separator: separator)
    }

    private mutating func sentence(_ count: Int) -> String {
        var text = words(count, separator: " ")
        if random.below(3) == 0 { text += " (\(random.below(10_000)) of \(10_000 + random.below(90_000)))" }
        return text
    }

    private mutating func pick(_ options: [String]) -> String {
        options[random.below(options.count)]
    }

    private mutating func hex(_ bytes: Int) -> String {
        (0..<bytes).map { _ in
            let byte = random.below(256)
            let digits = Array("0123456789abcdef")
            return String([digits[byte >> 4], digits[byte & 15]])
        }.joined()
    }

    private mutating func uuid() -> String {
        "\(hex(4))-\(hex(2))-4\(hex(2).dropFirst())-\(hex(2))-\(hex(6))"
    }

    private mutating func timestamp() -> String {
        let day = 1 + random.below(28)
        let hour = random.below(24)
        let minute = random.below(60)
        let second = random.below(60)
        let millis = random.below(1000)
        return "2025-11-\(pad(day, 2))T\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2)).\(pad(millis, 3))Z"
    }

    private func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

/// Seeded, so the sample corpus is identical on every run and platform.
extension SplitMix64 {
    mutating func below(_ bound: Int) -> Int {
        Int(next() % UInt64(bound))
    }

    mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) }
    }
}
