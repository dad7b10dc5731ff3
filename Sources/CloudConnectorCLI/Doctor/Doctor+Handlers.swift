import CloudConnector
import Executors
import Foundation

/// The command handlers config.json routes work to: there, and runnable under the executor's rules.
extension Doctor {
    mutating func checkHandlers() {
        guard let configFile, let dataPath = checked.dataDirectory else {
            add(.skipped("handlers", "Not checked: config.json cannot be read (see config_file)."))
            return
        }
        let directory = configFile.handlersDirectory ?? dataPath + "/handlers"
        let routes = [configFile.executor] + Array(configFile.tools.values) + Array(configFile.playbooks.values)
        let usesCommands = routes.contains(.command)
        let fallback = configFile.messagingHandler
        guard usesCommands || fallback != nil else {
            add(.skipped("handlers", "config.json routes all work to HTTP executors: no command handler is used."))
            return
        }
        let fails = "every execution_request for a command handler fails with unknown_tool or unknown_playbook"
        switch HandlerAudit.audit(handlersDirectory: directory, user: serviceUID) {
        case .missing:
            if let fallback {
                add(.problem(
                    "handlers",
                    "messaging.handler names tools/\(fallback), but \(directory) does not exist: messages no agent answers in time get an error reply. Install the handler there (owner-only folders, an executable file)."))
            }
            if usesCommands {
                add(.warning(
                    "handlers",
                    "\(directory) does not exist, so \(fails). Create it (`mkdir -p -m 700 \(directory)/tools \(directory)/playbooks`) and install executables there, or route the work to an HTTP executor in config.json."))
            }
        case .audited(let handlers):
            var fine = true
            for handler in handlers {
                guard let problem = handler.problem else { continue }
                fine = false
                add(.problem(
                    "handlers",
                    "\(handler.relativePath): \(problem). Until it is fixed, the cloud's requests for it fail with unsafe_handler (the executor refuses what another user could have changed)."))
            }
            if let fallback, !handlers.contains(where: { $0.relativePath == "tools/" + fallback }) {
                fine = false
                add(.problem(
                    "handlers",
                    "messaging.handler names tools/\(fallback), which is not in \(directory): messages no agent answers in time get an error reply. Install it, or remove messaging.handler from config.json."))
            }
            if handlers.isEmpty, usesCommands {
                add(.warning(
                    "handlers",
                    "\(directory) holds no handlers, so \(fails). Install executables as tools/NAME and playbooks/CODE, or route the work to an HTTP executor in config.json."))
            } else if fine {
                let names = handlers.map(\.relativePath)
                let shown = names.prefix(8).joined(separator: ", ") + (names.count > 8 ? " and \(names.count - 8) more" : "")
                add(.ok("handlers", "\(names.count) handler\(names.count == 1 ? "" : "s") in \(directory), each runnable by the service: \(shown)."))
            }
        }
    }
}
