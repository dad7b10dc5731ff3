import Glibc

/// A handler's whole environment: nothing is inherited from the connector, whose environment holds
/// the API key and may hold other secrets.
enum HandlerEnvironment {
    static let path = "/usr/bin:/bin"

    static func variables(requestID: String, home: String) -> [String] {
        ["PATH=\(path)", "HOME=\(home)", "LANG=C.UTF-8", "CLOUD_CONNECTOR_REQUEST_ID=\(requestID)"]
    }

    /// This user's home from the password database, which (unlike $HOME) cannot be pointed
    /// elsewhere through the connector's environment; "/" when there is none.
    static func defaultHome() -> String {
        var entry = passwd()
        var found: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        // The reentrant form: getpwuid's static buffer is shared by every thread of the process.
        guard getpwuid_r(geteuid(), &entry, &buffer, buffer.count, &found) == 0, found != nil,
            let directory = entry.pw_dir
        else { return "/" }
        let home = String(cString: directory)
        return home.isEmpty ? "/" : home
    }
}
