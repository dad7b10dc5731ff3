import ConnectorCore

/// Turns a handler's output bytes into lines, reports `progress` and `usage` through the callback as
/// each line completes, and keeps the `result` and the first `error`. Enforces the caps: once a
/// violation is found it is kept and everything after it is ignored (the caller stops the handler).
///
/// Used from one thread at a time (the command executor's I/O thread, or the HTTP executor's task).
struct HandlerOutputCollector {
    let limits: HandlerOutputLimits
    /// Names the stream in messages: "stdout", "the HTTP response".
    let source: String
    private let output: @Sendable (ExecutorOutput) -> Void

    private(set) var result: JSONValue?
    private(set) var reportedError: ExecutorFailure?
    private(set) var violation: ExecutorFailure?
    /// Set once the execution was cancelled: lines are still checked, but no more output is reported.
    var isMuted = false

    private var pending: [UInt8] = []
    private var totalBytes = 0
    private var lineNumber = 0

    init(limits: HandlerOutputLimits, source: String, output: @escaping @Sendable (ExecutorOutput) -> Void) {
        self.limits = limits
        self.source = source
        self.output = output
    }

    mutating func consume(_ chunk: UnsafeRawBufferPointer) {
        guard violation == nil, !chunk.isEmpty else { return }
        totalBytes += chunk.count
        guard totalBytes <= limits.maxOutputBytes else {
            violation = ExecutorFailure(
                code: ExecutorErrorCode.outputTooLarge,
                message: "the handler wrote more than \(limits.maxOutputBytes) bytes to \(source)")
            return
        }
        var start = chunk.startIndex
        while start < chunk.endIndex, violation == nil {
            let rest = chunk[start...]
            if let newline = rest.firstIndex(of: 0x0A) {
                append(chunk[start..<newline])
                if violation == nil { completeLine() }
                start = newline + 1
            } else {
                append(rest)
                start = chunk.endIndex
            }
        }
    }

    mutating func consume(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { consume($0) }
    }

    /// End of output: a last line without a newline still counts.
    mutating func finish() {
        guard violation == nil, !pending.isEmpty else { return }
        completeLine()
    }

    private mutating func append(_ bytes: Slice<UnsafeRawBufferPointer>) {
        guard pending.count + bytes.count <= limits.maxLineBytes else {
            overlongLine(pending + bytes.prefix(64))
            return
        }
        pending.append(contentsOf: bytes)
    }

    /// A line over the line cap is never buffered whole, so its type is judged from its start: a
    /// result line (`{"type":"result"…` or `{"result":…`) is a result too large for an event (R3),
    /// anything else is simply too much output.
    private mutating func overlongLine(_ start: [UInt8]) {
        let compact = String(decoding: start.filter { ![0x20, 0x09, 0x0D].contains($0) }, as: UTF8.self)
        let isResult = compact.hasPrefix(#"{"type":"result""#) || compact.hasPrefix(#"{"result":"#)
        violation = isResult
            ? ExecutorFailure(
                code: ExecutorErrorCode.resultTooLarge,
                message: "the result on \(source) line \(lineNumber + 1) is larger than \(limits.maxLineBytes) bytes")
            : ExecutorFailure(
                code: ExecutorErrorCode.outputTooLarge,
                message: "\(source) line \(lineNumber + 1) is longer than \(limits.maxLineBytes) bytes")
        pending = []
    }

    private mutating func completeLine() {
        lineNumber += 1
        var line = pending
        pending.removeAll(keepingCapacity: true)
        if line.last == 0x0D { line.removeLast() }
        guard line.contains(where: { ![0x20, 0x09].contains($0) }) else { return }  // blank lines are allowed

        switch HandlerLine.parse(line) {
        case .failure(let problem):
            violation = ExecutorFailure(
                code: ExecutorErrorCode.invalidHandlerOutput,
                message: "\(source) line \(lineNumber) \(problem.reason): \(DisplayText.head(line, limit: 80))")
        case .success(.progress(let fraction, let message)):
            if !isMuted { output(.progress(fraction: fraction, message: message)) }
        case .success(.usage(let figures)):
            // Usage is reported even after a cancel: what was used must still be billed.
            output(.usage(figures))
        case .success(.result(let value)):
            guard result == nil else {
                violation = ExecutorFailure(
                    code: ExecutorErrorCode.invalidHandlerOutput,
                    message: "\(source) line \(lineNumber) is a second result line (only one is allowed)")
                return
            }
            let size = JSON.encode(value).count
            guard size <= limits.maxResultBytes else {
                violation = ExecutorFailure(
                    code: ExecutorErrorCode.resultTooLarge,
                    message: "the result on \(source) line \(lineNumber) encodes to \(size) bytes, more than \(limits.maxResultBytes)")
                return
            }
            result = value
        case .success(.error(let code, let message, let retryable)):
            // The first error is usually the cause; later ones are consequences.
            if reportedError == nil { reportedError = ExecutorFailure(code: code, message: message, retryable: retryable) }
        }
    }
}
