import CloudConnector
import ConnectorCore
import OutboxStore

/// Prints inspect pages as they come: JSON Lines, or a table whose column widths are fixed by the
/// first page so that later pages need not be held.
struct InspectOutput {
    let json: Bool
    let nowMS: Int64
    private var widths: [Int]?
    private let table = TextTable([
        .right("seq"), .left("id"), .left("type"), .left("request"), .left("event"), .right("age"),
        .right("raw"), .right("stored"), .left("acked"),
    ])

    init(json: Bool, nowMS: Int64) {
        self.json = json
        self.nowMS = nowMS
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
            widths = pageTable.widths
            Console.out(table.header(pageTable.widths))
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
