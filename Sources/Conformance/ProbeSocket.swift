internal import ConnectorCore
import WebSocketTransport

/// One WebSocket the kit opened as a device. A reader task files what the cloud sends into the
/// inbox, answering `ping` with `pong` on the way as a device must (§4), so checks only see the
/// frames they judge.
final class ProbeSocket: Sendable {
    let connection: WebSocketConnection
    let inbox = SocketInbox()

    private init(_ connection: WebSocketConnection) {
        self.connection = connection
    }

    /// Starts reading `connection` to its end.
    static func start(_ connection: WebSocketConnection) -> ProbeSocket {
        let socket = ProbeSocket(connection)
        Task { await socket.read() }
        return socket
    }

    private func read() async {
        for await event in connection.events {
            switch event {
            case .opened, .pong:
                continue
            case .text(let text):
                do {
                    let frame = try InboundEnvelope.decode(text).frame
                    if frame == .ping {
                        try? connection.send(text: DeviceFrames.pong, priority: .high)
                        continue
                    }
                    await inbox.deliver(.frame(frame))
                } catch {
                    await inbox.deliver(.malformed(type: Self.frameType(of: error), reason: error.description))
                }
            case .binary(let count):
                await inbox.deliver(.malformed(type: nil, reason: FrameDecodeError.binaryFrame(byteCount: count).description))
            case .oversized(let count, _):
                await inbox.deliver(.malformed(type: nil, reason: FrameDecodeError.tooLarge(byteCount: count, limit: InboundEnvelope.maxFrameBytes).description))
            case .closed(let closure):
                await inbox.deliver(.closed(closure))
            }
        }
    }

    private static func frameType(of error: FrameDecodeError) -> String? {
        if case .invalidField(let type, _) = error { return type }
        return nil
    }

    /// Queues one text frame; `what` names it in the failure when the socket is already closed.
    func send(_ text: String, what: String) throws(CheckStop) {
        do {
            try connection.send(text: text)
        } catch {
            throw .fail("could not send \(what): \(error)")
        }
    }

    func sendBinary(_ bytes: [UInt8], what: String) throws(CheckStop) {
        do {
            try connection.sendRaw(.binary(bytes))
        } catch {
            throw .fail("could not send \(what): \(error)")
        }
    }

    func next(within timeout: Duration) async -> Arrival? {
        await inbox.next(within: timeout)
    }

    func close() {
        connection.close(code: .normal, reason: "conformance check done")
    }
}
