import CloudConnector
import ConnectorCore
import OutboxStore

/// Prints inspect pages as they come: JSON Lines, or a table. Pages are not held, so the widths are
/// fixed before the first row: every column but `request` has a known widest value (the store's last
/// seq, a UUID, the longest type and event name, a 1 MiB size); `request` takes the first page's
/// widest and only grows after it.
struct InspectOutput {
    let json: Bool
    let nowMS: Int64
    /// seq, id, type, request, event, age ("29d 23h"), raw, stored, acked.
    private let floors: [Int]
    private var widths: [Int]?
    private let table = TextTable([
        .right("seq"), .left("id"), .left("type"), .left("request"), .left("event"), .right("age"),
        .right("raw"), .right("stored"), .left("acked"),
    ])

    init(json: Bool, nowMS: Int64, lastSeq: Int64) {
        self.json = json
        self.nowMS = nowMS
        floors = [
            String(lastSeq).count, 36, OutboxMessageType.allCases.map(\.rawValue.count).max() ?? 0, 0,
            ExecutionEventType.allCases.map(\.rawValue.count).max() ?? 0, 7, 7, 7, 3,
        ]
    }

    mutating func emit(_ page: [StoredMessage]) {
        if json {
            for message in page { Console.out(String(decoding: JSON.encode(Self.jsonLine(message, nowMS: nowMS)), as: UTF8.self)) }
            return
        }
        var pageTable = table
        for message in page {
            pageTable.add([
                String(message.seq), message.id.description, message.type.rawValue, message.requestID,
                message.eventType?.rawValue ?? "-", DurationText.format(milliseconds: nowMS - message.createdAtMS),
                String(message.rawSize), String(message.storedSize), message.acked ? "yes" : "no",
            ])
        }
        if widths == nil, !page.isEmpty {
            let first = zip(pageTable.widths, floors).map { max($0, $1) }
            widths = first
            Console.out(table.header(first))
        } else if let current = widths {
            widths = zip(current, pageTable.widths).map { max($0, $1) }
        }
        if let widths {
            for row in pageTable.rows { Console.out(table.line(row, widths)) }
        }
    }

    func finish(shown: Int, moreFrom: Int64?) {
        guard !json else { return }
        if shown == 0 {
            Console.out("no messages match")
            return
        }
        var summary = "\(shown) message\(shown == 1 ? "" : "s") shown"
        if let moreFrom { summary += "; more match: continue with --from-seq \(moreFrom)" }
        Console.out(summary)
    }

    static func jsonLine(_ message: StoredMessage, nowMS: Int64) -> JSONValue {
        [
            "seq": .int(message.seq),
            "id": .string(message.id.description),
            "type": .string(message.type.rawValue),
            "request_id": .string(message.requestID),
            "event_type": .string(message.eventType?.rawValue),
            "natural_key": .string(message.naturalKey),
            "created_at": .time(message.createdAtMS),
            "event_at": .time(message.eventAtMS),
            "age_ms": .int(nowMS - message.createdAtMS),
            "raw_size": .int(message.rawSize),
            "stored_size": .int(message.storedSize),
            "codec": .int(message.codec),
            "acked": .bool(message.acked),
        ]
    }
}
