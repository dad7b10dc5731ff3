import Foundation

/// A tmpfs of a few MiB mounted on a fresh temporary directory, so a test meets a real ENOSPC.
/// Mounting needs root (or CAP_SYS_ADMIN) and a kernel that allows it, which containers often
/// refuse: `unavailableReason` then says why and the tests that need one are skipped with it.
final class SmallTmpfs: Sendable {
    let directory: TemporaryDirectory

    init(sizeMiB: Int) throws {
        directory = TemporaryDirectory("outbox-tmpfs")
        guard mount("tmpfs", directory.path, "tmpfs", 0, "size=\(sizeMiB)m,mode=0700") == 0 else {
            throw MountFailure(message: "mounting a tmpfs on \(directory.path) failed: \(String(cString: strerror(errno)))")
        }
    }

    /// Room comes back, as when an operator frees space.
    func grow(toMiB size: Int) throws {
        let flags = UInt(MS_REMOUNT)
        guard mount("tmpfs", directory.path, "tmpfs", flags, "size=\(size)m") == 0 else {
            throw MountFailure(message: "remounting the tmpfs at \(directory.path) failed: \(String(cString: strerror(errno)))")
        }
    }

    deinit {
        // Lazily, so a store a failing test left open cannot keep the mount (and the directory) around.
        umount2(directory.path, Int32(MNT_DETACH))
    }

    struct MountFailure: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    /// Nil when this process can mount a tmpfs; else why not, which a skipped test shows.
    static let unavailableReason: String? = {
        do {
            _ = try SmallTmpfs(sizeMiB: 1)
            return nil
        } catch {
            return "skipped: this machine does not let the tests mount a tmpfs (\(error)); the page-cap tests cover the same path"
        }
    }()
}
