import ConnectorCore
@testable import Executors
import Testing

/// The line vocabulary and the caps, without processes.
@Suite struct HandlerLineTests {
    func collect(
        _ chunks: [String], limits: HandlerOutputLimits = HandlerOutputLimits()
    ) -> (HandlerOutputCollector, [ExecutorOutput]) {
        let recorder = OutputRecorder()
        var collector = HandlerOutputCollector(limits: limits, source: "stdout", output: recorder.callback)
        for chunk in chunks { collector.consume(Array(chunk.utf8)) }
        collector.finish()
        return (collector, recorder.all)
    }

    @Test func linesSplitAcrossChunksCRLFAndBlankLinesAndALastLineWithoutNewline() {
        let (collector, outputs) = collect([
            #"{"type":"prog"#, #"ress","progress":0.1}"# + "\r\n\n   \n" + #"{"type":"progress","message":"b"}"#,
            "\n" + #"{"type":"result","result":[1,2]}"#,
        ])
        #expect(collector.violation == nil)
        #expect(outputs == [.progress(fraction: 0.1, message: nil), .progress(fraction: nil, message: "b")])
        #expect(collector.result == [1, 2])
    }

    @Test func usageAcceptsWholeFloatsComputesAMissingTotalAndKeepsTheCostLiteral() throws {
        let line = #"{"type":"usage","token_usage":{"prompt_tokens":1500.0,"completion_tokens":20},"cost_estimate":{"amount":0.10,"currency":"EUR"}}"#
        #expect(HandlerLine.parse(Array(line.utf8)) == .success(.usage(UsageFigures(
            promptTokens: 1500, completionTokens: 20, totalTokens: 1520, costAmount: JSONNumber(literal: "0.10"), currency: "EUR"))))
    }

    @Test(arguments: [
        (#"[1,2]"#, "is not a JSON object"),
        (#"{"progress":0.5}"#, #"has no string "type""#),
        (#"{"type":"progress"}"#, "neither progress nor message"),
        (#"{"type":"progress","progress":-0.1}"#, "outside 0..1"),
        (#"{"type":"progress","message":5}"#, "message that is not a string"),
        (#"{"type":"usage"}"#, "none of token_usage"),
        (#"{"type":"usage","token_usage":{"prompt_tokens":-1}}"#, "prompt_tokens that is not a non-negative integer"),
        (#"{"type":"usage","token_usage":{"total_tokens":1.5}}"#, "total_tokens"),
        (#"{"type":"usage","cost_estimate":{"amount":"1"}}"#, "cost_estimate"),
        (#"{"type":"result"}"#, "without \"result\""),
        (#"{"type":"error","message":"x"}"#, "without a string \"code\""),
        (#"{"type":"error","code":"x","retryable":"yes"}"#, "retryable that is not a boolean"),
        (#"{"type":"progress","message":"a","message":"b"}"#, "not valid JSON"),
    ])
    func malformedLinesSayWhy(line: String, reason: String) {
        guard case .failure(let problem) = HandlerLine.parse(Array(line.utf8)) else {
            Issue.record("\(line) was accepted")
            return
        }
        #expect(problem.reason.contains(reason), "\(problem.reason)")
    }

    @Test func anErrorWithoutMessageUsesItsCodeAndTheFirstErrorWins() {
        let (collector, _) = collect([#"{"type":"error","code":"first"}"# + "\n" + #"{"type":"error","code":"second"}"#])
        #expect(collector.reportedError?.outcome == .failed(code: "first", message: "first", retryable: false))
    }

    @Test func capsOnTotalOutputLineAndResult() {
        let limits = HandlerOutputLimits(maxOutputBytes: 200, maxLineBytes: 60, maxResultBytes: 20)
        let total = collect([String(repeating: #"{"type":"progress","progress":1}"# + "\n", count: 10)], limits: limits).0
        #expect(total.violation?.code == "output_too_large")

        let line = collect([#"{"type":"progress","message":""# + String(repeating: "m", count: 80) + "\"}\n"], limits: limits).0
        #expect(line.violation?.code == "output_too_large")
        #expect(line.violation?.message.contains("line 1 is longer than 60 bytes") == true)

        let resultLine = collect([#"{ "type": "result", "result": ""# + String(repeating: "r", count: 80) + "\"}\n"], limits: limits).0
        #expect(resultLine.violation?.code == "result_too_large")

        let result = collect([#"{"type":"result","result":"0123456789012345678901"}"#], limits: limits).0
        #expect(result.violation?.code == "result_too_large")
    }

    @Test func progressStopsWhenMutedButUsageIsStillCounted() {
        let recorder = OutputRecorder()
        var collector = HandlerOutputCollector(limits: HandlerOutputLimits(), source: "stdout", output: recorder.callback)
        collector.isMuted = true
        collector.consume(Array((#"{"type":"progress","message":"x"}"# + "\n" + #"{"type":"usage","model":"m"}"# + "\n").utf8))
        #expect(recorder.all == [.usage(UsageFigures(model: "m"))])
    }

    @Test func displayTextRemovesControlAndFormatCharactersAndBoundsLength() {
        #expect(DisplayText.head("a\u{1B}[1mb\n\tc\u{202E}d", limit: 100) == "a [1mb c d")
        #expect(DisplayText.tail(String(repeating: "x", count: 600) + "end", limit: 10) == "…xxxxxxxend")
    }

    @Test(arguments: ["web_search", "a", "A-z.0_9", String(repeating: "n", count: 128)])
    func acceptedNames(name: String) {
        #expect(HandlerName.problem(with: name) == nil)
    }
}
