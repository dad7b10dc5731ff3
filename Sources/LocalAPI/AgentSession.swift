import Logging
import WebSocketTransport

/// Serves one `/ws/agent` connection: feeds its frames to the hub in order, and tells the hub when it
/// ends. The token was checked at the upgrade (LocalAPIServer's upgrade filter).
struct AgentSession {
    let connection: WebSocketConnection
    let hub: AgentHub

    func run() async {
        let connection = connection
        let id = await hub.attach(AgentLink(
            send: { text in (try? connection.send(text: text)) != nil }, endpoint: connection.endpoint))
        for await event in connection.events {
            switch event {
            case .text(let text):
                await hub.receive(text, from: id)
            case .binary(let count):
                await hub.refuse("binary frames are not part of the agent protocol (got \(count) bytes); send JSON text", from: id)
            case .oversized(let count, _):
                await hub.refuse("the frame was \(count) bytes, over the limit; it was dropped", from: id)
            case .opened, .pong, .closed:
                break
            }
        }
        await hub.detach(id)
    }
}
