import Foundation
import Glibc

/// Handlers a crashed connector left running. A SIGKILL of the connector kills none of its
/// handlers (each leads its own process group), and the restart ends their executions
/// `interrupted`: a handler still working on then would act for a request the cloud was told is
/// over. Each ran in its own working directory, so a process whose working directory lies inside a
/// leftover one belongs to such a handler; its whole process group is killed. The working directory
/// identifies the process better than a recorded pid, which a reboot or wrap-around could reuse.
enum LeftoverProcesses {
    /// Kills the process groups of processes working inside `directories`; returns how many
    /// processes were found. Linux (`/proc`); never this process's own group.
    static func kill(workingIn directories: [String]) -> Int {
        guard !directories.isEmpty else { return 0 }
        let own = getpgrp()
        var found = 0
        for pid in processIDs() {
            guard let cwd = workingDirectory(of: pid),
                directories.contains(where: { cwd == $0 || cwd.hasPrefix($0 + "/") })
            else { continue }
            found += 1
            let group = getpgid(pid)
            if group > 1 && group != own {
                _ = Glibc.kill(-group, SIGKILL)
            } else {
                _ = Glibc.kill(pid, SIGKILL)
            }
        }
        return found
    }

    private static func processIDs() -> [pid_t] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return names.compactMap { pid_t($0) }.filter { $0 != getpid() }
    }

    private static func workingDirectory(of pid: pid_t) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/\(pid)/cwd", &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
