import ConnectorCore

extension ExecutionJob {
    /// What a handler receives, on stdin or as the HTTP body:
    /// `{"request_id", "job_type", "name", "inputs", "request"}`.
    var document: JSONValue {
        .object(JSONObject([
            ("request_id", .string(requestID)),
            ("job_type", .string(kind.rawValue)),
            ("name", .string(name)),
            ("inputs", .object(inputs)),
            ("request", .object(request)),
        ]))
    }

    /// The document as one line: a trailing newline lets `read` in a shell handler see the whole
    /// line (a `read` that hits EOF first reports failure).
    var documentLine: [UInt8] {
        var bytes = JSON.encode(document)
        bytes.append(0x0A)
        return bytes
    }
}
