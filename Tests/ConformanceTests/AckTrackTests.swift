@testable import Conformance
import Testing

/// R5 as the kit judges it from the acks alone; every failing case is a negative control of the
/// judgement the R5 checks rely on.
struct AckTrackTests {
    func track(sent: [Int64], floor: Int64 = 0) -> AckTrack {
        var track = AckTrack(ackedAtConnect: floor)
        for seq in sent { track.recordSent(seq) }
        return track
    }

    @Test func cumulativeRepeatedAndPartialAcksAreFine() {
        var track = track(sent: [1, 2, 3])
        #expect(track.recordAck(1) == nil)
        #expect(track.recordAck(3) == nil)
        #expect(track.recordAck(3) == nil, "a repeated ack is allowed; the device ignores it")
        #expect(track.covers(3))
        #expect(!track.covers(4))
    }

    @Test func anAckAboveEverythingSentIsNamed() {
        var track = track(sent: [1, 2, 3])
        #expect(track.recordAck(4) == "sent seq 1..3, got ack seq 4: the cloud acked a seq it never received (R5)")
    }

    @Test func anAckThatGoesBackwardsIsNamed() {
        var track = track(sent: [1, 2, 3])
        #expect(track.recordAck(3) == nil)
        #expect(track.recordAck(2) == "got ack seq 2 after ack seq 3 (sent seq 1..3): acks must never go backwards (R5)")
    }

    @Test func anAckInsideAGapNamesASeqThatWasNeverSent() {
        var track = track(sent: [1, 2, 5])
        let violation = track.recordAck(3)
        #expect(violation?.contains("got ack seq 3, a seq that was never sent") == true, "\(violation ?? "nil")")
        #expect(track.recordAck(5) == nil)
    }

    @Test func acksStartAboveWhatConnectAckSaidItHeld() {
        var track = track(sent: [4, 5], floor: 3)
        #expect(track.covers(3))
        #expect(track.recordAck(3) == nil, "re-acking what connect_ack announced is no new claim")
        #expect(track.recordAck(2)?.contains("never go backwards") == true)
        #expect(track.recordAck(5) == nil)
    }
}
