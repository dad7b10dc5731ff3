import Foundation
import Testing
import FaultProxy

extension FaultProxyTests {
    @Suite struct LifecycleTests {
        @Test func stopLeavesNoThreadAndNoListener() throws {
            let echo = try EchoServer()
            defer { echo.stop() }
            let proxy = try FaultProxy(upstreamPort: echo.port)
            let port = proxy.port
            #expect(port > 0)
            let client = try Client.connect(port: port)
            defer { client.close() }
            #expect(client.roundTrip())
            let name = "fproxy-\(port)"
            #expect(eventually { threadNames().contains(name) })

            proxy.stop()
            #expect(!threadNames().contains(name) || eventually { !threadNames().contains(name) })
            let end = client.waitForClose()
            #expect(end == .failed(ECONNRESET) || end == .eof, "\(end)")
            #expect(throws: SocketError(operation: "connect", code: ECONNREFUSED)) { _ = try Client.connect(port: port) }
            let rebound = try listeningSocket(port: port)
            close(rebound.fd)

            // Calls after stop return at once and change nothing.
            proxy.cutAll()
            proxy.stall()
            proxy.stop()
            #expect(proxy.stats.cutAttempts == 0)
            #expect(proxy.stats.activeConnections == 0)
        }

        @Test func droppingTheProxyStopsIt() throws {
            let echo = try EchoServer()
            defer { echo.stop() }
            var proxy: FaultProxy? = try FaultProxy(upstreamPort: echo.port)
            let port = try #require(proxy?.port)
            #expect(eventually { threadNames().contains("fproxy-\(port)") })
            proxy = nil
            #expect(eventually { !threadNames().contains("fproxy-\(port)") })
            #expect(throws: SocketError(operation: "connect", code: ECONNREFUSED)) { _ = try Client.connect(port: port) }
        }

        /// No busy loop: with nothing to move (idle, or stalled with the client gone) the loop
        /// thread sleeps in poll. A spinning thread would burn most of the wall time; the bound
        /// is far above what sleeping costs.
        @Test func theLoopSleepsWhenNothingMoves() throws {
            try withEchoProxy { proxy, _ throws in
                let thread = try #require(threadID(named: "fproxy-\(proxy.port)"))
                func cpuWhile(_ scene: () throws -> Void) rethrows -> Duration {
                    try scene()
                    let before = cpuTime(thread)
                    sleepFor(.milliseconds(500))
                    return cpuTime(thread) - before
                }
                let idle = try Client.connect(port: proxy.port)
                defer { idle.close() }
                #expect(idle.roundTrip())
                #expect(cpuWhile {} < .milliseconds(200))

                // Stalled both ways, the client resets: the proxy must not poll the dead socket.
                #expect(try cpuWhile {
                    proxy.stall(.both)
                    let gone = try Client.connect(port: proxy.port)
                    try gone.send(Array("unread".utf8))
                    gone.closeWithReset()
                } < .milliseconds(200))

                // Stalled one way, the client half-closes and leaves.
                #expect(try cpuWhile {
                    proxy.resume(.both)
                    proxy.stall(.downstream)
                    let leaving = try Client.connect(port: proxy.port)
                    try leaving.send(Array("bye".utf8))
                    leaving.close()
                } < .milliseconds(200))
                proxy.resume(.both)
                #expect(idle.roundTrip())
            }
        }
    }
}

/// The kernel id of this process's thread called `name`.
func threadID(named name: String) -> String? {
    var found: String?
    _ = eventually {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        found = tasks.first { task in
            (try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) == name
        }
        return found != nil
    }
    return found
}

/// CPU time (user + system) a thread used so far, from /proc (in clock ticks of 10 ms).
func cpuTime(_ thread: String) -> Duration {
    guard let stat = try? String(contentsOfFile: "/proc/self/task/\(thread)/stat", encoding: .utf8),
        let end = stat.lastIndex(of: ")")
    else { return .zero }
    // Fields after the ")" closing the name start at field 3; utime and stime are fields 14 and 15.
    let fields = stat[stat.index(after: end)...].split(separator: " ")
    let ticks = (Int(fields[11]) ?? 0) + (Int(fields[12]) ?? 0)
    return .milliseconds(ticks * 1000 / Int(sysconf(Int32(_SC_CLK_TCK))))
}
