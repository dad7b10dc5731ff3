import ConnectorCore
import SQLiteDB

/// Reads a row's payload back to the exact bytes that were appended: decompress, then put back the
/// fields the typed columns hold (PayloadLayout). Column positions are the caller's query's.
enum StoredPayload {
    static func read(
        _ row: Statement, codecs: CodecTable, type: OutboxMessageType, codec: Int32, rawSize: Int32, payload: Int32,
        layout: Int32, requestID: Int32, naturalKey: Int32, eventAt: Int32, eventType: Int32
    ) throws -> [UInt8] {
        let stored = try row.withBlob(payload) { bytes in
            try codecs.decode(codec: row.int(codec), stored: bytes, rawSize: row.int(rawSize))
        }
        let layout = PayloadLayout(layout: row.int64(layout))
        guard layout != .none else { return stored }
        return try layout.restore(
            stored, type: type, columns: columns(row, requestID: requestID, naturalKey: naturalKey, eventAt: eventAt, eventType: eventType))
    }

    /// The same, as a parsed JSON value: for verify and rebuild, which validate it next.
    static func readValue(
        _ row: Statement, codecs: CodecTable, type: OutboxMessageType, codec: Int32, rawSize: Int32, payload: Int32,
        layout: Int32, requestID: Int32, naturalKey: Int32, eventAt: Int32, eventType: Int32
    ) throws -> JSONValue {
        let stored = try row.withBlob(payload) { bytes in
            try codecs.decode(codec: row.int(codec), stored: bytes, rawSize: row.int(rawSize))
        }
        return try PayloadLayout(layout: row.int64(layout)).restoreValue(
            stored, type: type, columns: columns(row, requestID: requestID, naturalKey: naturalKey, eventAt: eventAt, eventType: eventType))
    }

    private static func columns(
        _ row: Statement, requestID: Int32, naturalKey: Int32, eventAt: Int32, eventType: Int32
    ) -> PayloadLayout.Columns {
        PayloadLayout.Columns(
            requestID: StoredKey.decode(row, requestID), naturalKey: StoredKey.decodeOptional(row, naturalKey),
            eventAtMS: row.int64(eventAt), eventType: row.optionalString(eventType))
    }
}
