import ConnectorCore

/// A frame an agent sent, parsed. See AGENT_PROTOCOL.md for the wire format.
enum AgentInbound: Equatable {
    case register(workspaces: [String])
    case reply(taskID: String, text: String)
    case error(taskID: String, message: String)

    /// Parses one text frame. The error's reason goes back to the agent, so it says what to fix.
    static func parse(_ text: String) throws(AgentFrameError) -> AgentInbound {
        let value: JSONValue
        do {
            value = try JSON.parse(text)
        } catch {
            throw AgentFrameError("the frame is not JSON (\(error.description))")
        }
        guard let object = value.objectValue else { throw AgentFrameError("the frame must be a JSON object") }
        guard let type = object["type"]?.stringValue else {
            throw AgentFrameError("the frame has no string \"type\" (register, reply or error)")
        }
        switch type {
        case "register":
            guard let list = object["workspaces"]?.arrayValue, !list.isEmpty else {
                throw AgentFrameError("register needs \"workspaces\": a non-empty array of workspace ids")
            }
            var workspaces: [String] = []
            for item in list {
                guard let id = item.stringValue, !id.isEmpty else {
                    throw AgentFrameError("register: every workspace id must be a non-empty string")
                }
                if !workspaces.contains(id) { workspaces.append(id) }
            }
            return .register(workspaces: workspaces)
        case "reply":
            let taskID = try taskID(object, type)
            guard let text = object["text"]?.stringValue else { throw AgentFrameError("reply needs a string \"text\"") }
            return .reply(taskID: taskID, text: text)
        case "error":
            let taskID = try taskID(object, type)
            guard let message = object["message"]?.stringValue else {
                throw AgentFrameError("error needs a string \"message\"")
            }
            return .error(taskID: taskID, message: message)
        default:
            throw AgentFrameError("unknown frame type \"\(type.prefix(64))\" (expected register, reply or error)")
        }
    }

    private static func taskID(_ object: JSONObject, _ type: String) throws(AgentFrameError) -> String {
        guard let id = object["task_id"]?.stringValue, !id.isEmpty else {
            throw AgentFrameError("\(type) needs the \"task_id\" of the message it answers")
        }
        return id
    }
}

/// Why a frame from an agent was dropped; sent back to it as `{"type":"error","message":…}`.
struct AgentFrameError: Error, Equatable {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}

/// Frames the hub sends.
enum AgentOutbound {
    static func registered(_ workspaces: [String]) -> String {
        encode([("type", "registered"), ("workspaces", .array(workspaces.map { .string($0) }))])
    }

    static func message(taskID: String, _ task: AgentTask) -> String {
        encode([
            ("type", "message"), ("task_id", .string(taskID)), ("request_id", .string(task.requestID)),
            ("workspace_id", .string(task.workspaceID)), ("channel", .string(task.channel)),
            ("user_id", .string(task.userID)), ("text", .string(task.text)),
            ("event", .object(withoutReplyToken(task.event))),
        ])
    }

    /// A frame the hub could not use. Carries no task_id: agent → hub errors with a task_id mean
    /// "this task failed", and this is not that.
    static func error(_ message: String) -> String {
        encode([("type", "error"), ("message", .string(message))])
    }

    /// The event with every `reply_token` removed, at any depth: the token lets its holder answer
    /// the user through the channel (and spend the channel's quota), which only the connector does,
    /// through the messaging_reply. Removed everywhere, also in LINE's own spelling `replyToken`, so
    /// an event carrying the channel's raw webhook cannot leak it either.
    static func withoutReplyToken(_ object: JSONObject) -> JSONObject {
        JSONObject(object.compactMap { entry -> (String, JSONValue)? in
            isReplyToken(entry.key) ? nil : (entry.key, withoutReplyToken(entry.value))
        })
    }

    private static func isReplyToken(_ key: String) -> Bool {
        key == "reply_token" || key == "replyToken"
    }

    private static func withoutReplyToken(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object): .object(withoutReplyToken(object))
        case .array(let items): .array(items.map(withoutReplyToken))
        default: value
        }
    }

    private static func encode(_ entries: [(String, JSONValue)]) -> String {
        String(decoding: JSON.encode(.object(JSONObject(entries))), as: UTF8.self)
    }
}
