import ConnectorCore
import LZ4Codec

/// Validates and encodes drafts for one store (its device, tenant and codec settings).
public struct MessagePreparer: Sendable {
    public let identity: StoreIdentity
    let compressionThreshold: Int
    let highCompressionThreshold: Int
    let codecs: CodecTable
    let clock: any WallClock

    init(
        identity: StoreIdentity, compressionThreshold: Int, highCompressionThreshold: Int, codecs: CodecTable,
        clock: any WallClock
    ) {
        self.identity = identity
        self.compressionThreshold = compressionThreshold
        self.highCompressionThreshold = highCompressionThreshold
        self.codecs = codecs
        self.clock = clock
    }

    public func prepare(_ draft: MessageDraft) throws(OutboxError) -> PreparedMessage {
        let fields: OutboxFields
        do {
            fields = try OutboxPayload.validate(type: draft.type, payload: draft.payload)
        } catch {
            throw .invalidPayload(type: draft.type, error)
        }
        if case .usage(let usage) = fields.detail, usage.tenantID != identity.tenantID {
            throw .tenantMismatch(payloadTenant: usage.tenantID, storeTenant: identity.tenantID)
        }
        let payloadBytes = JSON.encode(draft.payload)
        let frameSize = Envelope.worstCaseSize(type: draft.type, payloadBytes: payloadBytes.count)
        guard frameSize <= Envelope.maxFrameBytes else {
            throw .messageTooLarge(type: draft.type, bytes: frameSize, limit: Envelope.maxFrameBytes)
        }
        var eventType: String?
        if case .execution(let execution) = fields.detail { eventType = execution.eventType.rawValue }
        let columns = PayloadLayout.Columns(
            requestID: fields.requestID, naturalKey: fields.naturalKey, eventAtMS: fields.timestampMS,
            eventType: eventType)
        let (storedValue, layout) = PayloadLayout.strip(draft.payload, type: draft.type, columns: columns)
        let storedJSON = layout == .none ? payloadBytes : JSON.encode(storedValue)
        var codec = CodecTable.identity
        var stored = storedJSON
        if storedJSON.count >= compressionThreshold {
            let preferred = codecs.preferred
            let compressed = storedJSON.count >= highCompressionThreshold
                ? LZ4Block.compressHC(storedJSON, dictionary: preferred.dictionary, level: 3)
                : LZ4Block.compress(storedJSON, dictionary: preferred.dictionary)
            if let compressed {
                codec = preferred.code
                stored = compressed
            }
        }
        return PreparedMessage(
            explicitID: draft.id, type: draft.type, fields: fields,
            createdAtMS: draft.createdAtMS ?? clock.nowMilliseconds(), codec: codec,
            rawSize: storedJSON.count, stored: stored, layout: layout, payloadBytes: payloadBytes)
    }
}
