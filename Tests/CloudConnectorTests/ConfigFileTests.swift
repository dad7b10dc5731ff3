import CloudConnector
import Testing

@Suite("config.json")
struct ConfigFileTests {
    static func parse(_ text: String) throws(ConfigurationError) -> ConfigFile {
        try ConfigFile.parse(Array(text.utf8), path: "/data/config.json")
    }

    static func error(_ text: String) -> String? {
        do throws(ConfigurationError) {
            _ = try parse(text)
            return nil
        } catch {
            return error.message
        }
    }

    @Test("no file means the defaults")
    func defaults() throws {
        let directory = TemporaryDirectory()
        let config = try ConfigFile.load(directory: directory.path)
        #expect(config == ConfigFile())
        #expect(config.executor == .command)
        #expect(config.maxConcurrentExecutions == 4)
    }

    @Test("every setting is read")
    func full() throws {
        let config = try Self.parse("""
            {"executor": {"type": "http", "url": "http://127.0.0.1:8000/exec"}, "handlers_dir": "/h",
             "tools": {"crm": {"type": "command"}}, "playbooks": {"weekly": {"type": "http", "url": "https://x.example/p"}},
             "max_concurrent_executions": 2, "default_timeout_ms": 5000, "inbox_retention": "14d",
             "messaging": {"bindings": {"cfg-1": "ws-a"}, "default_workspace": "ws-d", "agent_wait_ms": 100,
                           "handler": "reply-bot"},
             "reload": {"command": "/bin/true"}, "local_api": {"host": "127.0.0.1", "port": 0},
             "link": {"reconnect_base_ms": 100, "reconnect_cap_ms": 2000}}
            """)
        #expect(config.executor == .http(url: "http://127.0.0.1:8000/exec"))
        #expect(config.tools["crm"] == .command)
        #expect(config.playbooks["weekly"] == .http(url: "https://x.example/p"))
        #expect(config.maxConcurrentExecutions == 2)
        #expect(config.inboxRetentionMS == 14 * 86_400_000)
        #expect(config.channelBindings == ["cfg-1": "ws-a"])
        #expect(config.defaultWorkspace == "ws-d")
        #expect(config.agentWaitMS == 100)
        #expect(config.messagingHandler == "reply-bot")
        #expect(config.reload == .command("/bin/true"))
        #expect(config.localAPIPort == 0)
        #expect(config.reconnectBaseMS == 100)
        #expect(config.reconnectCapMS == 2000)
    }

    @Test("errors name the key and what is expected", arguments: [
        (#"{"max_concurent_executions": 2}"#, "max_concurent_executions is not a setting"),
        (#"{"messaging": {"binding": {}}}"#, "messaging.binding is not a setting"),
        (#"{"executor": {"type": "ftp"}}"#, "executor.type must be \"command\" or \"http\""),
        (#"{"executor": {"type": "http"}}"#, "executor.url is required"),
        (#"{"tools": {"t": {"type": "http", "url": "file:///x"}}}"#, "tools.t.url must be an http"),
        (#"{"max_concurrent_executions": 0}"#, "from 1 to 256"),
        (#"{"inbox_retention": "2h"}"#, "at least 1d"),
        (#"{"reload": {"command": "/a", "url": "http://x"}}"#, "exactly one of command or url"),
        (#"{"messaging": {"handler": ""}}"#, "messaging.handler must be a non-empty string."),
        (#"{"messaging": {"handler": 7}}"#, "messaging.handler must be a non-empty string."),
        (#"{"messaging": {"handlers": "x"}}"#,
         "messaging.handlers is not a setting (known here: bindings, default_workspace, agent_wait_ms, handler)."),
        (#"{"link": {"reconnect_base_ms": 5}}"#, "link.reconnect_base_ms must be a whole number from 10 to 60000."),
        (#"{"link": {"reconnect_base_ms": 5000, "reconnect_cap_ms": 1000}}"#, "link.reconnect_cap_ms must be at least link.reconnect_base_ms (5000)."),
        (#"{"link": {"backoff": 1}}"#, "link.backoff is not a setting (known here: reconnect_base_ms, reconnect_cap_ms)."),
        (#"[1]"#, "one JSON object"),
        (#"{"a": "#, "not valid JSON"),
    ])
    func errors(text: String, expected: String) {
        let message = Self.error(text)
        #expect(message?.contains(expected) == true, "\(message ?? "no error")")
        #expect(message?.hasPrefix("/data/config.json") == true)
    }

    @Test("messaging.handler names a tool handler; null or absent means none")
    func messagingHandler() throws {
        #expect(try Self.parse(#"{"messaging": {"handler": "reply-bot_2.sh"}}"#).messagingHandler == "reply-bot_2.sh")
        #expect(try Self.parse(#"{"messaging": {"handler": null}}"#).messagingHandler == nil)
        #expect(try Self.parse(#"{"messaging": {}}"#).messagingHandler == nil)
    }

    @Test("messaging.handler must stay inside handlers_dir/tools", arguments: [
        ("../../bin/sh", "\"../../bin/sh\" starts with a dot."),
        ("bin/sh", "\"bin/sh\" contains a character other than A-Z a-z 0-9 . _ -."),
        (".hidden", "\".hidden\" starts with a dot."),
        ("reply bot", "\"reply bot\" contains a character other than A-Z a-z 0-9 . _ -."),
        (String(repeating: "a", count: 129), "is longer than 128 characters."),
    ])
    func badHandlerNames(name: String, expected: String) {
        let message = Self.error(#"{"messaging": {"handler": "\#(name)"}}"#)
        #expect(message?.hasPrefix(
            "/data/config.json: messaging.handler must be a handler file name in handlers_dir/tools "
                + "(A-Z a-z 0-9 . _ -, not starting with a dot): ") == true, "\(message ?? "no error")")
        #expect(message?.hasSuffix(expected) == true, "\(message ?? "no error")")
    }
}
