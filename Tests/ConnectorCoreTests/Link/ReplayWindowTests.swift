import ConnectorCore
import Testing

/// The replay window's rules one at a time: R4 gaps, R7 resume, R8 flow control, §4 acks.
@Suite struct ReplayWindowTests {
    typealias Window = ReplayWindow<TestMessage>
    typealias Action = ReplayAction<TestMessage>

    @Test func startMarksTheCloudsAckAndAsksForThePageAboveIt() {
        var window = Window()
        let actions = window.start(ackedSeq: 40, lastAssignedSeq: 100, storeAckedSeq: 30, maxInflight: 10)
        guard actions.count == 2, case .fetchPage(let request) = actions[1] else {
            Issue.record("unexpected \(actions)")
            return
        }
        #expect(actions[0] == .markAcked(through: 40))
        #expect(request.after == 40)
        #expect(request.limit == 256)
        #expect(window.ackedSeq == 40 && window.sentThrough == 40 && window.maxInflight == 10)
    }

    @Test func startWithTheStoresOwnAckRecordsNothing() {
        var window = Window()
        let actions = window.start(ackedSeq: 30, lastAssignedSeq: 100, storeAckedSeq: 30, maxInflight: 10)
        #expect(actions.count == 1)
        if case .fetchPage = actions.first {} else { Issue.record("expected only a page request, got \(actions)") }
    }

    /// R7: the cloud holds seqs this store never assigned; the store must move past them, loudly.
    @Test func cloudAheadOfTheStoreMovesTheSequencePast() {
        var driver = ReplayDriver(held: [1, 2, 3])
        driver.start(ackedSeq: 500, maxInflight: 10)
        #expect(driver.recorded.first == .advanceSequence(past: 500, lastAssigned: 3))
        #expect(driver.recorded.dropFirst().first == .markAcked(through: 500))
        #expect(driver.outbox.lastSeq == 500)
        driver.pump()
        #expect(driver.sent.isEmpty, "seqs at or below the cloud's ack are never sent")
        driver.outbox.append(2)
        driver.perform(driver.window.appended(lastSeq: 502))
        driver.pump()
        #expect(driver.sent == [501, 502])
    }

    /// A cloud whose store was wiped (acked_seq 0) gets everything the device still holds.
    @Test func cloudBehindTheStoreRewindsTheDeliveryCursor() {
        var driver = ReplayDriver(held: [1, 2, 3, 4, 5])
        driver.outbox.ackedSeq = 3
        driver.start(ackedSeq: 0, maxInflight: 10)
        #expect(driver.recorded.first == .rewindAcked(from: 3, to: 0))
        driver.pump()
        #expect(driver.sent == [1, 2, 3, 4, 5])
    }

    /// Idle only once everything known is sent and acked: the moment the link's counters are complete.
    @Test func idleOnlyWhenEverythingKnownIsAcked() {
        var driver = ReplayDriver(held: [1, 2, 3])
        #expect(!driver.window.isIdle, "not running")
        driver.start(ackedSeq: 0, maxInflight: 10)
        #expect(!driver.window.isIdle, "a page is being read")
        driver.pump()
        #expect(driver.sent == [1, 2, 3])
        #expect(!driver.window.isIdle, "in flight")
        driver.ack(2)
        #expect(!driver.window.isIdle, "seq 3 in flight")
        driver.ack(3)
        #expect(driver.window.isIdle)
        driver.outbox.append(1)
        driver.perform(driver.window.appended(lastSeq: 4))
        #expect(!driver.window.isIdle, "an append is known")
        driver.pump()
        driver.ack(4)
        #expect(driver.window.isIdle)
        driver.window.stop()
        #expect(!driver.window.isIdle, "stopped")
    }

    /// R4: gaps are normal; the window sends exactly the held seqs, in order.
    @Test func gapsAreSkippedWithoutWaiting() {
        let held: [Int64] = [2, 3, 7, 8, 9, 20, 21, 100, 1000, 1001]
        var driver = ReplayDriver(held: held, configuration: .init(pageSize: 3, maxBatch: 2))
        driver.start(ackedSeq: 0, maxInflight: 1000)
        driver.pump()
        #expect(driver.sent == held)
    }

    @Test func lowerAndRepeatedAcksAreIgnored() {
        var driver = ReplayDriver(held: Array(1...10))
        driver.start(ackedSeq: 0, maxInflight: 10)
        driver.pump()
        #expect(driver.window.ack(5) == [.markAcked(through: 5)])
        #expect(driver.window.ack(5) == [])
        #expect(driver.window.ack(3) == [])
        #expect(driver.window.ack(0) == [])
        #expect(driver.window.ackedSeq == 5)
        #expect(driver.window.inflightCount == 5)
    }

    @Test func ackOfASeqInAGapReleasesEverythingBelowIt() {
        var driver = ReplayDriver(held: [1, 2, 5, 9])
        driver.start(ackedSeq: 0, maxInflight: 10)
        driver.pump()
        driver.ack(7)
        #expect(driver.window.inflightCount == 1)
    }

    /// R8: never more than max_inflight sent and unacked; each ack opens exactly that much room.
    @Test func flowControlIsPacedByAcks() {
        var driver = ReplayDriver(held: Array(1...100), configuration: .init(pageSize: 16, maxBatch: 4))
        driver.start(ackedSeq: 0, maxInflight: 10)
        driver.pump()
        #expect(driver.sent == Array(1...10))
        #expect(driver.window.inflightCount == 10)
        #expect(!driver.window.hasSendable)
        #expect(driver.window.nextBatch().isEmpty)
        driver.ack(3)
        driver.pump()
        #expect(driver.sent == Array(1...13))
        driver.ack(13)
        driver.pump()
        #expect(driver.sent == Array(1...23))
    }

    /// Heartbeats are never starved: one `nextBatch` hands out at most `maxBatch` messages, so the
    /// shell gets control back between batches.
    @Test func batchesAreBounded() {
        var driver = ReplayDriver(held: Array(1...1000), configuration: .init(pageSize: 256, maxBatch: 64))
        driver.start(ackedSeq: 0, maxInflight: 1000)
        var batches = 0
        while driver.window.hasSendable {
            let actions = driver.window.nextBatch()
            for case .send(let messages) in actions {
                #expect(messages.count <= 64)
                batches += 1
            }
            driver.perform(actions)
        }
        #expect(batches == 16)
        #expect(driver.sent == Array(1...1000))
    }

    /// Paging: never more than two pages of messages held in memory, whatever the backlog.
    @Test func memoryIsBoundedByPages() {
        var driver = ReplayDriver(held: Array(1...50_000), configuration: .init(pageSize: 100, maxBatch: 50))
        driver.start(ackedSeq: 0, maxInflight: 100_000)
        var peak = 0
        while driver.window.hasSendable {
            driver.perform(driver.window.nextBatch())
            peak = max(peak, driver.window.bufferedCount)
        }
        #expect(peak <= 200)
        #expect(driver.sent.count == 50_000)
    }

    @Test func inflightIsClampedToTheConfiguredCeilingAndAtLeastOne() {
        var window = Window(configuration: .init(inflightCeiling: 500))
        _ = window.start(ackedSeq: 0, lastAssignedSeq: 0, storeAckedSeq: 0, maxInflight: 1_000_000)
        #expect(window.maxInflight == 500)
        _ = window.start(ackedSeq: 0, lastAssignedSeq: 0, storeAckedSeq: 0, maxInflight: 0)
        #expect(window.maxInflight == 1)
    }

    @Test func configurationClampsToUsableValues() {
        let configuration = Window.Configuration(pageSize: 0, maxBatch: -1, inflightCeiling: 0)
        #expect(configuration.pageSize == 1 && configuration.maxBatch == 1 && configuration.inflightCeiling == 1)
    }

    @Test func newAppendsFlowBehindTheBacklog() {
        var driver = ReplayDriver(held: Array(1...5))
        driver.start(ackedSeq: 0, maxInflight: 100)
        driver.pump()
        #expect(driver.window.outstandingPage == nil, "a short page ended the reads")
        driver.outbox.append(3)
        driver.perform(driver.window.appended(lastSeq: 8))
        driver.pump()
        #expect(driver.sent == Array(1...8))
        // A notification for something already read asks for nothing.
        #expect(driver.window.appended(lastSeq: 8).isEmpty)
    }

    /// An append committed while a page is being read is not lost when that page comes back short.
    @Test func appendDuringAnOutstandingReadIsReadAfterwards() {
        var window = Window(configuration: .init(pageSize: 10))
        let first = window.start(ackedSeq: 0, lastAssignedSeq: 3, storeAckedSeq: 0, maxInflight: 100)
        guard case .fetchPage(let request) = first.last else {
            Issue.record("no page request")
            return
        }
        #expect(window.appended(lastSeq: 4).isEmpty, "one read at a time")
        // The read ran before seq 4 committed: it returns 1...3 only.
        let next = window.pageLoaded((1...3).map { TestMessage(seq: $0) }, for: request)
        guard case .fetchPage(let again) = next.last else {
            Issue.record("seq 4 was not read: \(next)")
            return
        }
        #expect(again.after == 3)
        _ = window.pageLoaded([TestMessage(seq: 4)], for: again)
        #expect(window.nextBatch() == [.send((1...4).map { TestMessage(seq: $0) })])
    }

    /// Appends reported while disconnected are remembered for the next connection.
    @Test func appendsWhileStoppedAreRemembered() {
        var window = Window()
        #expect(window.appended(lastSeq: 77).isEmpty)
        #expect(window.knownLastSeq == 77)
        #expect(window.ack(5).isEmpty, "acks before start are ignored")
        #expect(window.nextBatch().isEmpty)
    }

    @Test func stalePagesAreIgnored() {
        var window = Window(configuration: .init(pageSize: 10))
        guard case .fetchPage(let old) = window.start(ackedSeq: 0, lastAssignedSeq: 5, storeAckedSeq: 0, maxInflight: 10).last
        else {
            Issue.record("no page request")
            return
        }
        window.stop()
        #expect(window.pageLoaded([TestMessage(seq: 1)], for: old).isEmpty)
        let restart = window.start(ackedSeq: 2, lastAssignedSeq: 5, storeAckedSeq: 0, maxInflight: 10)
        #expect(window.pageLoaded([TestMessage(seq: 1)], for: old).isEmpty, "a page of the earlier connection")
        #expect(window.bufferedCount == 0)
        guard case .fetchPage(let current) = restart.last else { return }
        _ = window.pageLoaded([TestMessage(seq: 3), TestMessage(seq: 5)], for: current)
        #expect(window.bufferedCount == 2)
    }

    @Test func failedReadIsRetriedOnlyWhenAsked() {
        var window = Window()
        guard case .fetchPage(let request) = window.start(ackedSeq: 0, lastAssignedSeq: 5, storeAckedSeq: 0, maxInflight: 10).last
        else { return }
        window.pageFailed(request)
        #expect(window.outstandingPage == nil)
        #expect(window.nextBatch().isEmpty, "no automatic retry loop")
        let retry = window.retryFetch()
        guard case .fetchPage(let again) = retry.first else {
            Issue.record("no retry: \(retry)")
            return
        }
        #expect(again.after == 0)
    }

    @Test func outOfOrderRowsAreSkippedAndReported() {
        var window = Window(configuration: .init(pageSize: 4))
        guard case .fetchPage(let request) = window.start(ackedSeq: 0, lastAssignedSeq: 9, storeAckedSeq: 0, maxInflight: 10).last
        else { return }
        // A store reading newest first (OutboxFaults.pendingOutOfOrder).
        let page = [9, 8, 7, 6].map { TestMessage(seq: $0) }
        let actions = window.pageLoaded(page, for: request)
        #expect(actions.contains(.reportAnomaly(.pageOutOfOrder(expectedAbove: 9, got: 8))))
        #expect(window.nextBatch().first == .send([TestMessage(seq: 9)]))
        #expect(window.sentThrough == 9)
    }

    @Test func rowsAtOrBelowTheCursorAreReported() {
        var window = Window(configuration: .init(pageSize: 4))
        guard case .fetchPage(let request) = window.start(ackedSeq: 5, lastAssignedSeq: 9, storeAckedSeq: 5, maxInflight: 10).last
        else { return }
        let actions = window.pageLoaded([TestMessage(seq: 4), TestMessage(seq: 6)], for: request)
        #expect(actions.first == .reportAnomaly(.pageOutOfOrder(expectedAbove: 5, got: 4)))
        #expect(window.bufferedCount == 1)
    }

    /// A store that ignores the cursor cannot make the window read forever.
    @Test func fullPageWithoutProgressStopsReading() {
        var window = Window(configuration: .init(pageSize: 2))
        guard case .fetchPage(let request) = window.start(ackedSeq: 5, lastAssignedSeq: 9, storeAckedSeq: 5, maxInflight: 10).last
        else { return }
        let actions = window.pageLoaded([TestMessage(seq: 1), TestMessage(seq: 2)], for: request)
        #expect(!actions.contains { if case .fetchPage = $0 { true } else { false } })
        #expect(window.outstandingPage == nil)
    }

    @Test func ackAboveWhatWasSentIsReportedAndSkipsTheBufferedCopies() {
        var driver = ReplayDriver(held: Array(1...20), configuration: .init(pageSize: 8, maxBatch: 8))
        driver.start(ackedSeq: 0, maxInflight: 3)
        driver.pump()
        #expect(driver.sent == [1, 2, 3])
        let actions = driver.window.ack(6)
        #expect(actions.prefix(2) == [.reportAnomaly(.ackAboveSent(ack: 6, sentThrough: 3)), .markAcked(through: 6)])
        driver.perform(actions)
        driver.pump()
        #expect(driver.sent == [1, 2, 3, 7, 8, 9])
    }

    @Test func ackAboveEverythingTheStoreAssignedIsR7() {
        var driver = ReplayDriver(held: [1, 2, 3])
        driver.start(ackedSeq: 0, maxInflight: 10)
        driver.pump()
        let actions = driver.window.ack(50)
        #expect(actions.first == .advanceSequence(past: 50, lastAssigned: 3))
        #expect(actions.contains(.markAcked(through: 50)))
    }

    @Test func stopForgetsTheConnection() {
        var driver = ReplayDriver(held: Array(1...10))
        driver.start(ackedSeq: 0, maxInflight: 4)
        driver.pump()
        driver.window.stop()
        #expect(!driver.window.isRunning && driver.window.inflightCount == 0 && driver.window.bufferedCount == 0)
        #expect(!driver.window.hasSendable)
        #expect(driver.window.nextBatch().isEmpty)
    }

    @Test func reportsTheirMeaning() {
        #expect(ReplayAnomaly.pageOutOfOrder(expectedAbove: 9, got: 8).description == "store returned seq 8 where only seqs above 9 belong; skipped it")
        #expect(ReplayAnomaly.ackAboveSent(ack: 6, sentThrough: 3).description == "cloud acked seq 6 but this connection has only sent up to 3")
    }
}
