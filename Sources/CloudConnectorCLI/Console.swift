import Foundation

/// stdout for results, stderr for errors and logs: scripts parse stdout, people read stderr.
enum Console {
    static func out(_ line: String) {
        print(line)
    }

    static func out(lines: [String]) {
        for line in lines { print(line) }
    }

    static func error(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
