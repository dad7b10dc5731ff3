import ConnectorCore
import Testing

@Suite("execution_request validation")
struct ExecutionRequestTests {
    static func payload(_ text: String) throws -> JSONObject {
        try #require(try JSON.parse(text).objectValue)
    }

    static func rejection(_ text: String) throws -> RequestRejection? {
        let object = try payload(text)
        do throws(RequestRejection) {
            _ = try ExecutionRequest.validate(object, deviceTenant: "t1")
            return nil
        } catch {
            return error
        }
    }

    @Test("a playbook, a tool and a chain")
    func valid() throws {
        let playbook = try ExecutionRequest.validate(
            try Self.payload(#"{"request_id":"r1","job_type":"playbook","playbook_code":"weekly","inputs":{"a":1},"timeout_ms":5000,"workspace_id":"w"}"#),
            deviceTenant: "t1")
        #expect(playbook.steps == [.init(kind: .playbook, name: "weekly", inputs: ["a": 1])])
        #expect(playbook.timeoutMS == 5000)
        #expect(playbook.workspaceID == "w")
        let chain = try ExecutionRequest.validate(
            try Self.payload(#"{"request_id":"r2","job_type":"chain","tenant_id":"t1","inputs":{"x":1},"steps":[{"job_type":"tool","tool_name":"a"},{"job_type":"playbook","playbook_code":"b","inputs":{"y":2}}]}"#),
            deviceTenant: "t1")
        #expect(chain.steps.map(\.name) == ["a", "b"])
        #expect(chain.steps[0].inputs == ["x": 1], "a step without inputs takes the request's")
        #expect(chain.steps[1].inputs == ["y": 2])
    }

    @Test("refusals carry a precise code and the field", arguments: [
        (#"{"request_id":"r","job_type":"tool","tenant_id":"other","inputs":{}}"#, "tenant_mismatch", "other"),
        (#"{"request_id":"r","job_type":"script","inputs":{}}"#, "unsupported_job_type", "script"),
        (#"{"request_id":"r","job_type":"tool","inputs":{}}"#, "invalid_request", "payload.tool_name"),
        (#"{"request_id":"r","job_type":"playbook","playbook_code":"p"}"#, "invalid_request", "payload.inputs"),
        (#"{"request_id":"r","job_type":"chain","inputs":{},"steps":[]}"#, "invalid_request", "payload.steps"),
        (#"{"request_id":"r","job_type":"chain","inputs":{},"steps":[{"job_type":"chain"}]}"#, "unsupported_job_type", "steps[0]"),
        (#"{"request_id":"r","job_type":"tool","tool_name":"t","inputs":{},"timeout_ms":0}"#, "invalid_request", "timeout_ms"),
        (#"{"request_id":"r","job_type":"tool","tool_name":"t","inputs":[]}"#, "invalid_request", "payload.inputs"),
    ])
    func refusals(text: String, code: String, mentions: String) throws {
        let rejection = try #require(try Self.rejection(text))
        #expect(rejection.code == code)
        #expect(rejection.message.contains(mentions), "\(rejection.message)")
    }
}
