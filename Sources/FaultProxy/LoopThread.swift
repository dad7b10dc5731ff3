import Glibc

/// A joinable POSIX thread: Foundation's Thread cannot be joined, and stop() must not return while
/// the proxy's thread still exists.
struct LoopThread: Sendable {
    private let handle: pthread_t

    /// Boxes the body so it can cross pthread_create's untyped context pointer.
    private final class Body {
        let name: String
        let run: @Sendable () -> Void
        init(name: String, run: @escaping @Sendable () -> Void) {
            self.name = name
            self.run = run
        }
    }

    static func start(name: String, _ run: @escaping @Sendable () -> Void) throws(FaultProxyError) -> LoopThread {
        let context = Unmanaged.passRetained(Body(name: name, run: run)).toOpaque()
        var handle = pthread_t()
        let result = pthread_create(&handle, nil, { context in
            guard let context else { return nil }
            let body = Unmanaged<Body>.fromOpaque(context).takeRetainedValue()
            nameCurrentThread(body.name)
            body.run()
            return nil
        }, context)
        guard result == 0 else {
            Unmanaged<Body>.fromOpaque(context).release()
            throw FaultProxyError(operation: "pthread_create", code: result)
        }
        return LoopThread(handle: handle)
    }

    func join() { pthread_join(handle, nil) }
}

/// Names the calling thread as /proc shows it. pthread_setname_np and prctl are out of reach
/// (a GNU extension Swift's Glibc module hides; a variadic function), so the name is written to
/// /proc/thread-self/comm, which is what they do. Linux keeps 15 bytes; ours ("fproxy-" + port) fit.
private func nameCurrentThread(_ name: String) {
    let fd = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
    guard fd >= 0 else { return }
    let bytes = Array(name.utf8.prefix(15))
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    close(fd)
}
