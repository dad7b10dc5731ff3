import ConnectorCore
import Foundation
import FuzzBodies
import Testing

/// Every input in Tests/FuzzCorpus (the fuzzer's seeds and the inputs that once crashed it) through
/// the fuzzer's own body, without libFuzzer: a fixed bug stays fixed on every `swift test`.
@Suite struct FuzzCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("FuzzCorpus")

    static func inputs(_ folder: String) -> [String] {
        let directory = corpus.appendingPathComponent(folder)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { !$0.hasSuffix(".md") }.sorted().map { "\(folder)/\($0)" }
    }

    @Test func theSeedCorpusIsThere() {
        #expect(Self.inputs("frames").count >= 20)
    }

    /// The seeds named after a cloud → device type are valid frames of it (so the fuzzer starts from
    /// deep inside the decoder), and the valid requests pass validation; `bad_*` ones do not decode.
    @Test(arguments: inputs("frames"))
    func seedsAreWhatTheirNamesSay(input: String) throws {
        let bytes = try [UInt8](Data(contentsOf: Self.corpus.appendingPathComponent(input)))
        let name = String(input.dropFirst("frames/".count).prefix { $0 != "." })
        if name.hasPrefix("bad_") {
            #expect(throws: FrameDecodeError.self) { try InboundEnvelope.decode(bytes) }
            return
        }
        guard !name.hasPrefix("outbox_"), name != "unknown_type" else { return }
        let frame = try InboundEnvelope.decode(bytes).frame
        #expect(name.hasPrefix(frame.type), "\(name) decoded as \(frame.type)")
        if case .executionRequest(let request) = frame {
            let accepted = (try? ExecutionRequest.validate(request.payload, deviceTenant: FrameFuzzBody.deviceTenant)) != nil
            #expect(accepted == (name != "execution_request_other_tenant"), "\(name)")
        }
    }

    @Test(arguments: inputs("frames") + inputs("regressions"))
    func holdsEveryProperty(input: String) throws {
        let bytes = try [UInt8](Data(contentsOf: Self.corpus.appendingPathComponent(input)))
        #expect(FrameFuzzBody.run(bytes) == [])
    }
}
