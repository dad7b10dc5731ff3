import ConnectorCore
import Foundation

/// Every handler in a handlers directory, judged by the same rules `CommandExecutor` applies when it
/// runs one (`HandlerLocator`): so a handler that would be refused at run time is named before the
/// cloud asks for it. For `cloud-connector doctor`.
public enum HandlerAudit {
    public struct Handler: Sendable, Equatable {
        /// `tools/NAME` or `playbooks/CODE`.
        public let relativePath: String
        /// Why it would be refused, in `HandlerLocator`'s words; nil when it would run.
        public let problem: String?
    }

    public enum Outcome: Sendable, Equatable {
        /// The handlers directory does not exist (or is not a directory).
        case missing
        case audited([Handler])
    }

    /// `user`: the uid the service runs as (handlers must belong to it or to root); nil for this process's.
    public static func audit(handlersDirectory: String, user: UInt32? = nil) -> Outcome {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: handlersDirectory, isDirectory: &isDirectory), isDirectory.boolValue else {
            return .missing
        }
        let locator = HandlerLocator(handlersDirectory: handlersDirectory, user: user.map { uid_t($0) } ?? geteuid())
        var handlers: [Handler] = []
        for (folder, kind) in [("playbooks", ExecutionJob.Kind.playbook), ("tools", .tool)] {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: handlersDirectory + "/" + folder)) ?? []
            for name in names.sorted() where !name.hasPrefix(".") {
                let job = ExecutionJob(requestID: "doctor", kind: kind, name: name, inputs: [:], request: [:])
                do {
                    _ = try locator.locate(job)
                    handlers.append(Handler(relativePath: folder + "/" + name, problem: nil))
                } catch {
                    handlers.append(Handler(relativePath: folder + "/" + name, problem: error.message))
                }
            }
        }
        return .audited(handlers)
    }
}
