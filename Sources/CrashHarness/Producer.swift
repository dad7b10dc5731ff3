import Foundation
import Logging
@_spi(Faults) import OutboxStore
import TrafficGenerator

/// The child: appends until SIGKILLed, reporting each append that returned.
enum Producer {
    static let identity = StoreIdentity(deviceID: "crash-harness-device", tenantID: "crash-harness-tenant")

    static func run(directory: String, producers: Int, faults: String) async {
        var options = OutboxOptions()
        options.faults = OutboxFaults.parse(faults)
        var logger = Logger(label: "crash-harness")
        logger.logLevel = .critical
        let store: OutboxStore
        do {
            store = try OutboxStore.open(directory: directory, identity: identity, options: options, logger: logger)
        } catch {
            FileHandle.standardError.write(Data("cannot open store: \(error)\n".utf8))
            exit(74)
        }
        let seed = UInt64(getpid()) << 16
        await withTaskGroup(of: Void.self) { group in
            for producer in 0..<producers {
                group.addTask {
                    var generator = TrafficGenerator(
                        seed: seed + UInt64(producer), deviceID: identity.deviceID, tenantID: identity.tenantID)
                    while true {
                        // Every third append is a whole execution as one unit, the rest single messages.
                        let drafts = producer % 3 == 0 ? generator.execution() : [generator.next()]
                        guard let appended = try? await store.append(drafts) else { continue }
                        report(appended)
                    }
                }
            }
        }
    }

    /// One write(2) per append: lines from concurrent producers never interleave (PIPE_BUF).
    static func report(_ appended: [AppendedMessage]) {
        var text = ""
        for message in appended { text += "\(message.seq) \(message.id)\n" }
        let bytes = Array(text.utf8)
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(1, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 { exit(0) }  // the supervisor went away
                offset += written
            }
        }
    }
}
