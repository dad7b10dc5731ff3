import Foundation
import Testing
import FaultProxy

extension FaultProxyTests {
    @Suite struct CutTests {
        @Test(arguments: [true, false]) func cutAllClosesClientsAndNewConnectionsWork(reset: Bool) throws {
            try withEchoProxy { proxy, echo throws in
                let clients = try (0..<3).map { _ in try Client.connect(port: proxy.port) }
                defer { clients.forEach { $0.close() } }
                for client in clients { #expect(client.roundTrip()) }

                proxy.cutAll(reset: reset)
                for client in clients {
                    let end = client.waitForClose()
                    #expect(end == (reset ? .failed(ECONNRESET) : .eof), "\(end)")
                }
                #expect(proxy.stats.cuts == 1)
                #expect(proxy.stats.connectionsCut == 3)
                #expect(proxy.stats.activeConnections == 0)

                let again = try Client.connect(port: proxy.port)
                defer { again.close() }
                #expect(again.roundTrip())
                #expect(echo.accepted == 4)
            }
        }

        @Test func aCutWithNothingConnectedIsAttemptedButNotCounted() throws {
            try withEchoProxy { proxy, _ throws in
                proxy.cutAll()
                #expect(proxy.stats.cutAttempts == 1)
                #expect(proxy.stats.cuts == 0)
            }
        }

        @Test func refuseNewRefusesForTheWindowAndSparesOpenConnections() throws {
            try withEchoProxy { proxy, _ throws in
                let open = try Client.connect(port: proxy.port)
                defer { open.close() }
                #expect(open.roundTrip())

                let window: Duration = .milliseconds(800)
                let start = ContinuousClock.now
                proxy.refuseNew(for: window)
                #expect(throws: SocketError(operation: "connect", code: ECONNREFUSED)) { _ = try Client.connect(port: proxy.port) }
                #expect(open.roundTrip())

                var accepted: Client?
                #expect(eventually {
                    accepted = try? Client.connect(port: proxy.port)
                    return accepted != nil
                })
                // A lower bound only: the listener cannot be back before the window ends.
                #expect(ContinuousClock.now - start >= window)
                defer { accepted?.close() }
                #expect(accepted?.roundTrip() == true)
                #expect(open.roundTrip())
            }
        }

        @Test func cutThenRefuseIsOneStep() throws {
            try withEchoProxy { proxy, _ throws in
                let client = try Client.connect(port: proxy.port)
                defer { client.close() }
                #expect(client.roundTrip())
                let start = ContinuousClock.now
                proxy.cutAll(reset: true, refusingNewFor: .milliseconds(500))
                #expect(client.waitForClose() == .failed(ECONNRESET))
                #expect(throws: SocketError(operation: "connect", code: ECONNREFUSED)) { _ = try Client.connect(port: proxy.port) }
                var again: Client?
                #expect(eventually {
                    again = try? Client.connect(port: proxy.port)
                    return again != nil
                })
                #expect(ContinuousClock.now - start >= .milliseconds(500))
                defer { again?.close() }
                #expect(again?.roundTrip() == true)
            }
        }
    }
}
