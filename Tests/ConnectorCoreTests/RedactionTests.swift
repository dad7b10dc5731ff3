import ConnectorCore
import Testing

@Suite struct RedactionTests {
    @Test func redactsSecretsAtAnyDepthAndInArrays() {
        let value: JSONValue = [
            "request_id": "req-1",
            "reply_token": "rt-secret",
            "nested": ["deeper": ["Authorization": "Bearer abc", "keep": 1]],
            "list": [["password": "hunter2", "name": "x"], "token", ["API_KEY": ["k": "v"]]],
            "Secret": nil,
        ]
        let expected: JSONValue = [
            "request_id": "req-1",
            "reply_token": "[redacted]",
            "nested": ["deeper": ["Authorization": "[redacted]", "keep": 1]],
            "list": [["password": "[redacted]", "name": "x"], "token", ["API_KEY": "[redacted]"]],
            "Secret": "[redacted]",
        ]
        let redacted = Redaction.redact(value)
        #expect(redacted == expected)
        #expect(encodedText(redacted) == encodedText(expected), "key order is kept")
    }

    @Test func coversEveryListedKey() {
        let keys = ["token", "reply_token", "api_key", "authorization", "local_token", "access_token",
                    "refresh_token", "password", "secret"]
        #expect(Redaction.secretKeys == Set(keys))
        #expect(Redaction.placeholder == "[redacted]")
        let value = JSONValue.object(JSONObject(keys.map { ($0, JSONValue.string("s")) }))
        let redacted = Redaction.redact(value)
        for key in keys { #expect(redacted[key] == "[redacted]") }
    }

    @Test func leavesValuesWithoutSecretsAlone() {
        let value: JSONValue = ["token_count": 3, "tokens": ["a"], "text": "password"]
        #expect(Redaction.redact(value) == value)
        #expect(Redaction.redact("token") == "token")
    }
}
