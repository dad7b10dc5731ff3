import ConnectorCore

/// One line of the handler vocabulary, shared by the command and HTTP executors:
/// `progress` {progress?: 0..1, message?}, `usage` {token_usage?, cost_estimate?, model?},
/// `result` {result}, `error` {code, message?, retryable?}.
enum HandlerLine: Equatable {
    case progress(fraction: Double?, message: String?)
    case usage(UsageFigures)
    case result(JSONValue)
    case error(code: String, message: String, retryable: Bool)

    /// Codes and messages from a handler end up in events; bound them so a chatty handler cannot
    /// inflate every failure towards the 1 MiB message limit.
    static let maxCodeLength = 128
    static let maxMessageLength = 4096

    /// The line, or why it is not one (a short phrase that completes "line N …").
    static func parse(_ bytes: [UInt8]) -> Result<HandlerLine, LineProblem> {
        let value: JSONValue
        do {
            value = try JSON.parse(bytes)
        } catch {
            return .failure(LineProblem("is not valid JSON (\(error))"))
        }
        guard let object = value.objectValue else { return .failure(LineProblem("is not a JSON object")) }
        do throws(LineProblem) {
            switch object["type"] {
            case .string("progress")?: return .success(try progress(object))
            case .string("usage")?: return .success(try usage(object))
            case .string("result")?:
                guard let result = object["result"] else { throw LineProblem("is a result without \"result\"") }
                return .success(.result(result))
            case .string("error")?: return .success(try error(object))
            case .string(let other)?:
                throw LineProblem("has unknown type \(DisplayText.quoted(other)) (expected progress, usage, result or error)")
            default:
                throw LineProblem("has no string \"type\"")
            }
        } catch {
            return .failure(error)
        }
    }

    private static func progress(_ object: JSONObject) throws(LineProblem) -> HandlerLine {
        var fraction: Double?
        if let value = object["progress"], !value.isNull {
            guard let number = value.numberValue, number.double.isFinite, (0...1).contains(number.double) else {
                throw LineProblem("has progress outside 0..1")
            }
            fraction = number.double
        }
        let message = try optionalString(object["message"], "message")
        guard fraction != nil || message != nil else { throw LineProblem("is a progress with neither progress nor message") }
        return .progress(fraction: fraction, message: message.map(bounded))
    }

    private static func usage(_ object: JSONObject) throws(LineProblem) -> HandlerLine {
        var figures = UsageFigures()
        var known = false
        if let value = object["token_usage"], !value.isNull {
            guard let tokens = value.objectValue else { throw LineProblem("has token_usage that is not an object") }
            figures.promptTokens = try count(tokens["prompt_tokens"], "prompt_tokens")
            figures.completionTokens = try count(tokens["completion_tokens"], "completion_tokens")
            if tokens["total_tokens"] == nil {
                figures.totalTokens = figures.promptTokens &+ figures.completionTokens
            } else {
                figures.totalTokens = try count(tokens["total_tokens"], "total_tokens")
            }
            known = true
        }
        if let value = object["cost_estimate"], !value.isNull {
            guard let cost = value.objectValue, let amount = cost["amount"]?.numberValue,
                !amount.literal.hasPrefix("-"), let currency = cost["currency"]?.stringValue,
                !currency.isEmpty, currency.count <= 16
            else {
                throw LineProblem("has cost_estimate that is not {\"amount\": number >= 0, \"currency\": string}")
            }
            figures.costAmount = amount
            figures.currency = currency
            known = true
        }
        if let model = try optionalString(object["model"], "model") {
            figures.model = String(model.prefix(256))
            known = true
        }
        guard known else { throw LineProblem("is a usage with none of token_usage, cost_estimate, model") }
        return .usage(figures)
    }

    private static func error(_ object: JSONObject) throws(LineProblem) -> HandlerLine {
        guard let code = object["code"]?.stringValue, !code.isEmpty, code.count <= maxCodeLength else {
            throw LineProblem("is an error without a string \"code\" of 1–\(maxCodeLength) characters")
        }
        let message = try optionalString(object["message"], "message") ?? code
        var retryable = false
        if let value = object["retryable"], !value.isNull {
            guard let flag = value.boolValue else { throw LineProblem("has retryable that is not a boolean") }
            retryable = flag
        }
        return .error(code: code, message: bounded(message), retryable: retryable)
    }

    private static func optionalString(_ value: JSONValue?, _ key: String) throws(LineProblem) -> String? {
        guard let value, !value.isNull else { return nil }
        guard let text = value.stringValue else { throw LineProblem("has \(key) that is not a string") }
        return text
    }

    /// A token count: a non-negative whole number. Peers that count in floats write "1500.0", which
    /// is still a whole number; missing counts are zero.
    private static func count(_ value: JSONValue?, _ key: String) throws(LineProblem) -> Int64 {
        guard let value, !value.isNull else { return 0 }
        if let number = value.numberValue {
            if let whole = number.int64, whole >= 0 { return whole }
            let double = number.double
            if double >= 0, double < 9e15, double == double.rounded() { return Int64(double) }
        }
        throw LineProblem("has token_usage.\(key) that is not a non-negative integer")
    }

    private static func bounded(_ text: String) -> String {
        text.count > maxMessageLength ? String(text.prefix(maxMessageLength)) + "…" : text
    }
}

/// Why a line is not part of the vocabulary.
struct LineProblem: Error, Equatable {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}
