import Glibc

/// glibc functions Swift's Glibc module hides (they are declared only under _GNU_SOURCE), looked up
/// at run time. All exist in glibc ≥ 2.34 (Debian 12 has 2.36) and in musl; a missing one is
/// reported, never silently skipped, except closefrom (see `addCloseFrom`).
enum GNUExtensions {
    private typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>?, Int32) -> Int32
    private typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, UnsafePointer<CChar>?) -> Int32
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32

    private static func symbol<T>(_ name: String, as type: T.Type) -> T? {
        // nil is RTLD_DEFAULT: search the libraries already loaded.
        guard let address = dlsym(nil, name) else { return nil }
        return unsafeBitCast(address, to: type)
    }

    /// A pipe whose ends are close-on-exec from birth: with pipe() + fcntl a child spawned by another
    /// thread in between could inherit our write end, and then a handler would never see EOF.
    /// Returns (read end, write end), or nil with errno set.
    static func closeOnExecPipe() -> (read: Int32, write: Int32)? {
        guard let pipe2 = symbol("pipe2", as: Pipe2.self) else {
            errno = ENOSYS
            return nil
        }
        var ends: [Int32] = [-1, -1]
        guard pipe2(&ends, O_CLOEXEC) == 0 else { return nil }
        return (ends[0], ends[1])
    }

    /// The child changes to `directory` before exec; returns 0 or an errno.
    static func addChangeDirectory(_ actions: inout posix_spawn_file_actions_t, _ directory: String) -> Int32 {
        guard let addChdir = symbol("posix_spawn_file_actions_addchdir_np", as: AddChdir.self) else { return ENOSYS }
        return addChdir(&actions, directory)
    }

    /// The child closes every descriptor from `lowest` up before exec, so descriptors this process
    /// opened without close-on-exec (sockets, database files of other libraries) never reach a
    /// handler. Without the function, close-on-exec is all there is; that is not a reason to fail.
    static func addCloseFrom(_ actions: inout posix_spawn_file_actions_t, _ lowest: Int32) {
        guard let addCloseFrom = symbol("posix_spawn_file_actions_addclosefrom_np", as: AddCloseFrom.self) else { return }
        _ = addCloseFrom(&actions, lowest)
    }
}
