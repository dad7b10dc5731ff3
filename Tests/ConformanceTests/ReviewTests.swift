@testable import Conformance
import ConnectorCore
import Testing
import WebSocketTransport

/// The judgements of §3.1 (token), §3.4 (refusals), §1/R15 (bad frames) and R6 (counts), pure:
/// each failing case is a way a cloud can get it wrong, and the text that names it.
struct TokenReviewTests {
    func judge(_ status: Int, _ body: String) -> TokenReview.Verdict {
        TokenReview.judge(status: status, body: Array(body.utf8))
    }

    @Test func aTokenWithOrWithoutExpiry() {
        #expect(judge(200, #"{"token":"t1","expires_in":3600}"#) == .token("t1", expiresIn: "3600"))
        #expect(judge(200, #"{"token":"t1","expires_in":90.5}"#) == .token("t1", expiresIn: "90.5"))
        #expect(judge(200, #"{"token":"t1"}"#) == .token("t1", expiresIn: nil))
        #expect(judge(200, #"{"token":"t1","expires_in":null,"extra":1}"#) == .token("t1", expiresIn: nil))
    }

    @Test(arguments: [
        (200, "not json", "not a JSON object"), (200, "[1]", "not a JSON object"), (200, #"{"tok":"x"}"#, "without a non-empty \"token\""),
        (200, #"{"token":""}"#, "without a non-empty \"token\""), (200, #"{"token":7}"#, "without a non-empty \"token\""),
        (200, #"{"token":"t","expires_in":"3600"}"#, "not a number (a string)"), (200, #"{"token":"t","expires_in":0}"#, "expires_in 0"),
        (500, "", "answered HTTP 500"), (302, "", "answered HTTP 302"),
    ])
    func unusableAnswersSayWhy(_ status: Int, _ body: String, _ mentions: String) {
        guard case .invalid(let why) = judge(status, body) else {
            Issue.record("accepted \(status) \(body)")
            return
        }
        #expect(why.contains(mentions), "\(why)")
        #expect(!why.contains("\"t\""), "never the token")
    }

    @Test func refusalsAreTheirOwnVerdict() {
        #expect(judge(401, "") == .refused(status: 401))
        #expect(judge(403, #"{"code":"forbidden"}"#) == .refused(status: 403))
    }
}

struct RefusalReviewTests {
    let expected = RefusalReview.Expected(code: "tenant_mismatch", close: 4403, provocation: "connect with tenant_id b")

    func judge(_ errors: [String], _ closure: WebSocketClosure?, accepted: Bool = false) -> CheckOutcome {
        RefusalReview.judge(expected, RefusalReview.Observed(errorCodes: errors, acceptedWithConnectAck: accepted, closure: closure, waited: "5 s"))
    }

    @Test func errorThenTheRightClosePasses() {
        #expect(judge(["tenant_mismatch"], .byPeer(code: WebSocketCloseCode(4403), reason: "tenant_mismatch"))
            == .pass("connect with tenant_id b: error tenant_mismatch, then close 4403"))
    }

    @Test func everyOtherReactionFailsWithWhatArrived() {
        let close4403 = WebSocketClosure.byPeer(code: WebSocketCloseCode(4403), reason: "")
        let cases: [(CheckOutcome, String)] = [
            (judge([], nil, accepted: true), "got connect_ack: the cloud accepted the session"),
            (judge(["tenant_mismatch"], nil), "got error tenant_mismatch but no close within 5 s"),
            (judge([], nil), "got no error frame and no close within 5 s"),
            (judge([], close4403), "got no error frame and close 4403"),
            (judge(["unauthorized"], .byPeer(code: WebSocketCloseCode(4401), reason: "")), "got error unauthorized and close 4401"),
            (judge(["tenant_mismatch"], .byPeer(code: WebSocketCloseCode(4400), reason: "")), "got error tenant_mismatch and close 4400; expected close 4403"),
            (judge(["tenant_mismatch"], .failed(reason: "reset")), "cut without a close frame"),
        ]
        for (outcome, mentions) in cases {
            #expect(outcome.isFailure, "\(outcome)")
            #expect(outcome.detail.contains(mentions), "\(outcome.detail)")
            #expect(outcome.detail.contains("§3.4"))
        }
    }
}

struct BadFrameReviewTests {
    func judge(_ after: BadFrameReview.After, closeAllowed: Bool = true) -> String? {
        BadFrameReview.judge(sent: "a text frame that is not JSON", probeSeq: 1, closeAllowed: closeAllowed, after: after, waited: "5 s")
    }

    @Test func keptOrClosedWith4400Passes() {
        #expect(judge(.probeAcked) == nil)
        #expect(judge(.closed(.byPeer(code: WebSocketCloseCode(4400), reason: "bad frames"))) == nil)
        #expect(judge(.closed(.byUs(code: WebSocketCloseCode(4400), reason: ""))) == nil)
    }

    @Test func anyOtherCloseOrSilenceFails() {
        #expect(judge(.closed(.byPeer(code: WebSocketCloseCode(1011), reason: "crash")))?.contains("closed the connection with 1011") == true)
        #expect(judge(.closed(.failed(reason: "reset")))?.contains("cut the connection without a close frame") == true)
        #expect(judge(.silent)?.contains("no ack of seq 1 and no close within 5 s") == true)
    }

    @Test func anUnknownTypeMayNotEvenClose4400() {
        let failure = judge(.closed(.byPeer(code: WebSocketCloseCode(4400), reason: "")), closeAllowed: false)
        #expect(failure?.contains("expected it ignored and the connection kept (§1)") == true, "\(failure ?? "nil")")
        #expect(judge(.probeAcked, closeAllowed: false) == nil)
    }
}

struct CountsReviewTests {
    let expected = CountsReview.Expected(
        messages: 5, usage: DeviceFrames.Usage(reports: 2, totalTokens: 206, costMicros: 7000), duplicates: "seq 2 and 4 resent")

    func counts(messages: Int64, reports: Int64 = 2, tokens: Int64 = 206, cost: Int64 = 7000) -> JSONValue {
        [
            "messages": .number(JSONNumber(messages)),
            "usage": ["reports": .number(JSONNumber(reports)), "total_tokens": .number(JSONNumber(tokens)), "cost_micros": .number(JSONNumber(cost))],
        ]
    }

    @Test func eachMessageCountedOncePasses() {
        #expect(CountsReview.judge(expected, counts: counts(messages: 5)).status == "pass")
    }

    @Test func duplicatesCountedAgainAreR6() {
        let outcome = CountsReview.judge(expected, counts: counts(messages: 8, reports: 4, tokens: 412))
        #expect(outcome == .fail("sent 5 distinct messages, 2 of them usage reports, plus seq 2 and 4 resent; the cloud counts 8 messages: duplicates were counted again (R6)"))
    }

    @Test func missingMessagesAreR5AndWrongTotalsAreNamed() {
        #expect(CountsReview.judge(expected, counts: counts(messages: 4)).detail.contains("acked messages are missing (R5)"))
        let billedTwice = CountsReview.judge(expected, counts: counts(messages: 5, reports: 3, tokens: 309))
        #expect(billedTwice.detail.contains("a resent report was billed again (R6)"), "\(billedTwice)")
        #expect(CountsReview.judge(expected, counts: counts(messages: 5, cost: 1)).isFailure)
    }

    @Test func anotherShapeIsNotObservable() {
        let outcome = CountsReview.judge(expected, counts: ["count": 5])
        #expect(outcome.status == "skip")
        #expect(outcome.detail.contains("not observable on the wire"))
    }
}
