/// An `execution_request` (PROTOCOL §4) checked for everything the TransportHandler acts on. Chains
/// are a list of playbook/tool steps, run in order.
public struct ExecutionRequest: Sendable, Equatable {
    public enum JobType: String, Sendable, CaseIterable {
        case playbook, tool, chain
    }

    /// One runnable unit: a playbook or a tool with its inputs.
    public struct Step: Sendable, Equatable {
        public enum Kind: String, Sendable, Equatable {
            case playbook, tool
        }

        public var kind: Kind
        /// `playbook_code` or `tool_name`.
        public var name: String
        public var inputs: JSONObject

        public init(kind: Kind, name: String, inputs: JSONObject) {
            self.kind = kind
            self.name = name
            self.inputs = inputs
        }
    }

    public var requestID: String
    public var jobType: JobType
    public var tenantID: String?
    public var workspaceID: String?
    public var profileID: String?
    /// One step for a playbook or tool, the chain's steps for a chain.
    public var steps: [Step]
    public var timeoutMS: Int64?
    /// The payload as received, for executors that want all of it.
    public var payload: JSONObject
}

/// Why a request is refused before it runs: a code for `data.error.code` and a message naming the
/// field. Refused requests get one `failed` event and are never accepted (R12, R13).
public struct RequestRejection: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: String
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}

extension ExecutionRequest {
    /// Chains longer than this are refused: each step is an execution of its own.
    public static let maxSteps = 32

    /// Checks `payload` for a device of `tenantID`. The tenant check comes first: a request for
    /// another tenant is refused as such whatever else is wrong with it (R12).
    public static func validate(_ payload: JSONObject, deviceTenant: String) throws(RequestRejection) -> ExecutionRequest {
        do {
            let reader = try PayloadReader(.object(payload), path: "payload")
            let requestID = try reader.identifier("request_id")
            let tenant = try reader.optionalString("tenant_id")
            if let tenant, tenant != deviceTenant {
                throw RequestRejection(
                    code: "tenant_mismatch",
                    message: "the request is for tenant \"\(tenant)\"; this device belongs to \"\(deviceTenant)\"")
            }
            let jobTypeText = try reader.string("job_type")
            guard let jobType = JobType(rawValue: jobTypeText) else {
                throw RequestRejection(
                    code: "unsupported_job_type",
                    message: "payload.job_type \"\(jobTypeText)\" is not one of playbook, tool, chain")
            }
            let steps = try steps(reader, jobType: jobType)
            var timeout: Int64?
            if reader.optional("timeout_ms") != nil {
                let value = try reader.nonNegativeWholeNumber("timeout_ms")
                guard value > 0 else { throw reader.failure("timeout_ms", "must be a positive whole number of ms") }
                timeout = value
            }
            return ExecutionRequest(
                requestID: requestID, jobType: jobType, tenantID: tenant,
                workspaceID: try reader.optionalString("workspace_id"), profileID: try reader.optionalString("profile_id"),
                steps: steps, timeoutMS: timeout, payload: payload)
        } catch let error as RequestRejection {
            throw error
        } catch let error as PayloadError {
            throw RequestRejection(code: "invalid_request", message: error.description)
        } catch {
            throw RequestRejection(code: "invalid_request", message: "\(error)")
        }
    }

    private static func steps(_ reader: PayloadReader, jobType: JobType) throws -> [Step] {
        let inputs = try inputs(reader)
        switch jobType {
        case .playbook:
            return [Step(kind: .playbook, name: try name(reader, "playbook_code"), inputs: inputs)]
        case .tool:
            return [Step(kind: .tool, name: try name(reader, "tool_name"), inputs: inputs)]
        case .chain:
            guard case .array(let list)? = reader.optional("steps") else {
                throw reader.failure("steps", "is required for a chain and must be a list")
            }
            guard !list.isEmpty, list.count <= maxSteps else {
                throw reader.failure("steps", "must hold 1 to \(maxSteps) steps")
            }
            return try list.enumerated().map { index, value in
                let step = try PayloadReader(value, path: "payload.steps[\(index)]")
                let kindText = try step.string("job_type")
                guard let kind = Step.Kind(rawValue: kindText) else {
                    throw RequestRejection(
                        code: "unsupported_job_type",
                        message: "payload.steps[\(index)].job_type \"\(kindText)\" is not one of playbook, tool")
                }
                let stepInputs = try Self.inputs(step)
                return Step(
                    kind: kind, name: try name(step, kind == .playbook ? "playbook_code" : "tool_name"),
                    inputs: stepInputs.isEmpty ? inputs : stepInputs)
            }
        }
    }

    /// `inputs` is required at the top (§4) and optional in steps; absent in a step means the
    /// request's own inputs.
    private static func inputs(_ reader: PayloadReader) throws(PayloadError) -> JSONObject {
        guard reader.path == "payload" || reader.optional("inputs") != nil else { return JSONObject() }
        return try reader.object("inputs").object
    }

    private static func name(_ reader: PayloadReader, _ key: String) throws(PayloadError) -> String {
        let name = try reader.nonEmptyString(key)
        guard name.utf8.count <= 128 else { throw reader.failure(key, "must be at most 128 bytes") }
        return name
    }
}
