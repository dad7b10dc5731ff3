import Glibc

/// The few POSIX socket calls the proxy makes, with errno turned into FaultProxyError.
/// Every descriptor is non-blocking (the loop polls) and close-on-exec (tests spawn children,
/// which must not inherit, and so keep open, the proxy's port).
enum Socket {
    static func address(host: String, port: Int) throws(FaultProxyError) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(clamping: port)).bigEndian
        guard (0...65535).contains(port), inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            throw FaultProxyError(operation: "parse address \(host):\(port)", code: EINVAL)
        }
        return address
    }

    static func tcp() throws(FaultProxyError) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw FaultProxyError(operation: "socket", code: errno) }
        return fd
    }

    /// A listening socket. SO_REUSEADDR lets a refusal window end by listening again on the same
    /// port while connections accepted earlier still hold it.
    static func listen(on address: sockaddr_in) throws(FaultProxyError) -> Int32 {
        let fd = try tcp()
        setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1)
        var address = address
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, Glibc.listen(fd, 128) == 0 else {
            let code = errno
            close(fd)
            throw FaultProxyError(operation: "bind/listen on port \(UInt16(bigEndian: address.sin_port))", code: code)
        }
        return fd
    }

    static func boundPort(_ fd: Int32) throws(FaultProxyError) -> Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw FaultProxyError(operation: "getsockname", code: errno) }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    enum Accepted {
        case connection(Int32)
        /// Nothing waiting (or a connection that vanished before it was taken).
        case none
        /// The listener stays readable but accept fails (out of descriptors, say).
        case failed
    }

    static func accept(_ listener: Int32) -> Accepted {
        while true {
            let fd = Glibc.accept(listener, nil, nil)
            if fd >= 0 {
                // accept4 is a GNU extension Swift's Glibc module does not export; the flags are
                // not inherited from the listener, so they are set here.
                makeNonBlockingAndCloseOnExec(fd)
                return .connection(fd)
            }
            switch errno {
            case EINTR, ECONNABORTED: continue
            case EAGAIN, EWOULDBLOCK: return .none
            default: return .failed
            }
        }
    }

    static func makeNonBlockingAndCloseOnExec(_ fd: Int32) {
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        _ = fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC)
    }

    /// Starts a non-blocking connect; returns 0 or the errno of an immediate failure.
    static func startConnect(_ fd: Int32, to address: sockaddr_in) -> Int32 {
        var address = address
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if result == 0 { return 0 }
        let code = errno
        return code == EINPROGRESS ? 0 : code
    }

    /// The outcome of a finished non-blocking connect (0: connected).
    static func pendingError(_ fd: Int32) -> Int32 {
        var code: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length) == 0 else { return errno }
        return code
    }

    /// Small chunks (pings, heartbeats) go out at once: a proxy must not add Nagle delays of its own.
    static func setNoDelay(_ fd: Int32) { setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1) }

    /// Closes with an RST: SO_LINGER with a zero timeout makes close(2) abort the connection.
    static func closeReset(_ fd: Int32) {
        var linger = linger(l_onoff: 1, l_linger: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<linger>.size))
        close(fd)
    }

    /// Closes with a FIN. Unread input is discarded first because Linux answers the close of a
    /// socket with unread input by an RST instead.
    static func closeGracefully(_ fd: Int32) {
        var sink = [UInt8](repeating: 0, count: 16 * 1024)
        while recv(fd, &sink, sink.count, Int32(MSG_DONTWAIT)) > 0 {}
        close(fd)
    }

    private static func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32) {
        var value = value
        _ = setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size))
    }
}

/// strerror(3)'s sentence for `code`.
func errorText(_ code: Int32) -> String { String(cString: strerror(code)) }
