internal import ConnectorCore

/// Operations shared by the Swift API (`ReferenceCloud`) and the admin HTTP endpoint.
extension CloudContext {
    func send(_ frame: JSONValue, to deviceID: String) async throws(ReferenceCloudError) {
        let text = try CloudFrames.completing(frame)
        guard let session = session(for: deviceID) else { throw .deviceNotConnected(deviceID) }
        logger.info("sending to device", metadata: ["device_id": .string(deviceID), "type": .string(frame["type"]?.stringValue ?? "")])
        await session.send(text)
    }

    func sendMalformed(_ frames: [MalformedFrame], to deviceID: String) async throws(ReferenceCloudError) {
        guard let session = session(for: deviceID) else { throw .deviceNotConnected(deviceID) }
        logger.notice("fault: sending malformed frames", metadata: ["device_id": .string(deviceID), "count": .stringConvertible(frames.count)])
        await session.sendMalformed(frames)
    }

    func sendRawText(_ texts: [String], to deviceID: String) async throws(ReferenceCloudError) {
        guard let session = session(for: deviceID) else { throw .deviceNotConnected(deviceID) }
        logger.notice("fault: sending raw frames", metadata: ["device_id": .string(deviceID), "count": .stringConvertible(texts.count)])
        await session.sendRawText(texts)
    }

    /// Forgets the device (acked_seq back to 0) and closes its link so it reconnects and resends.
    func wipe(deviceID: String) async throws(ReferenceCloudError) {
        do {
            try await store.wipe(deviceID: deviceID)
        } catch {
            throw .storage("\(error)")
        }
        logger.notice("fault: wiped everything held for a device", metadata: ["device_id": .string(deviceID)])
        await session(for: deviceID)?.close(code: 1001, reason: "cloud store wiped")
    }

    func counts(deviceID: String) async throws(ReferenceCloudError) -> DeviceCounts {
        do { return try await store.counts(deviceID: deviceID) } catch { throw .storage("\(error)") }
    }

    func messages(deviceID: String) async throws(ReferenceCloudError) -> [CloudMessage] {
        do { return try await store.messages(deviceID: deviceID) } catch { throw .storage("\(error)") }
    }

    func usage(deviceID: String) async throws(ReferenceCloudError) -> UsageTotals {
        do { return try await store.usage(deviceID: deviceID) } catch { throw .storage("\(error)") }
    }
}
