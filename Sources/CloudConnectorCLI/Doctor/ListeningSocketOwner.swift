import Foundation

/// Which process listens on a TCP port, from /proc, without talking to it: the local API's token
/// must not be offered to whatever program happens to hold the port.
enum ListeningSocketOwner {
    /// The inodes of the sockets listening on `port` (IPv4 and IPv6); empty when /proc says none.
    static func listeningInodes(port: Int, procRoot: String = "/proc") -> Set<String> {
        var inodes = Set<String>()
        for table in ["net/tcp", "net/tcp6"] {
            guard let text = try? String(contentsOfFile: "\(procRoot)/\(table)", encoding: .utf8) else { continue }
            inodes.formUnion(listening(in: text, port: port))
        }
        return inodes
    }

    /// The rows of a /proc/net/tcp table in state LISTEN (0A) whose local port is `port`.
    static func listening(in table: String, port: Int) -> Set<String> {
        var inodes = Set<String>()
        for line in table.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
            guard fields.count > 9, fields[3] == "0A", let colon = fields[1].lastIndex(of: ":"),
                Int(fields[1][fields[1].index(after: colon)...], radix: 16) == port
            else { continue }
            inodes.insert(String(fields[9]))
        }
        return inodes
    }

    /// Whether process `pid` holds one of `inodes`; nil when its descriptors cannot be read (another
    /// user's process, seen without privileges) or it is gone.
    static func process(_ pid: Int32, holdsAnyOf inodes: Set<String>, procRoot: String = "/proc") -> Bool? {
        let directory = "\(procRoot)/\(pid)/fd"
        guard let descriptors = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return nil }
        for descriptor in descriptors {
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "\(directory)/\(descriptor)"),
                target.hasPrefix("socket:[")
            else { continue }
            if inodes.contains(String(target.dropFirst("socket:[".count).dropLast())) { return true }
        }
        return false
    }
}
