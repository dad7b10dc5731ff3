#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Plain write(2) loop for frame output, so archive and export files need no Foundation handle.
enum FileDescriptorOutput {
    static func writeAll(_ bytes: UnsafeRawBufferPointer, to fileDescriptor: Int32) throws(LZ4Error) {
        guard var next = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let written = write(fileDescriptor, next, remaining)
            if written < 0 {
                let code = errno
                // A signal arriving mid-write is not a failure; the same write is simply retried.
                if code == EINTR { continue }
                throw LZ4Error(reason: "write to fd \(fileDescriptor) failed: \(String(cString: strerror(code)))")
            }
            // write(2) returning 0 for a non-empty request would otherwise loop forever.
            guard written > 0 else {
                throw LZ4Error(reason: "write to fd \(fileDescriptor) made no progress")
            }
            next += written
            remaining -= written
        }
    }
}
