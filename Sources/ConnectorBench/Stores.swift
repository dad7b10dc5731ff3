import Foundation
import OutboxStore
import TrafficGenerator

/// Store and traffic helpers shared by the benchmarks.
enum Stores {
    static let identity = StoreIdentity(deviceID: "bench-device-7f3a", tenantID: "bench-tenant")
    /// Stores built in bulk (P5, P7) must hold every message: the size bound would otherwise drop
    /// progress events (R4) and the store would hold fewer than asked for.
    static let bulkMaxOutboxBytes: Int64 = 64 << 30

    static func open(_ directory: String, _ configure: (inout OutboxOptions) -> Void = { _ in }) throws -> OutboxStore {
        var options = OutboxOptions()
        configure(&options)
        return try OutboxStore.open(directory: directory, identity: identity, options: options)
    }

    static func makeDirectory(_ path: String) throws -> String {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Bytes of the store's files (database + WAL; the shared-memory index holds no data).
    static func fileBytes(_ directory: String) -> (database: Int64, wal: Int64) {
        func size(_ path: String) -> Int64 {
            ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
        }
        let path = directory + "/" + OutboxStore.fileName
        return (size(path), size(path + "-wal"))
    }

    static func generator(seed: UInt64) -> TrafficGenerator {
        TrafficGenerator(seed: seed, deviceID: identity.deviceID, tenantID: identity.tenantID)
    }

    /// `count` drafts made by `make`, generated in parallel by `parts` generators with distinct
    /// seeds (so every id is unique), in a deterministic order.
    static func drafts(
        count: Int, seed: UInt64, parts: Int = ProcessInfo.processInfo.activeProcessorCount,
        _ make: @escaping @Sendable (inout TrafficGenerator) -> MessageDraft
    ) async -> [MessageDraft] {
        let parts = max(1, min(parts, count))
        let pieces = await withTaskGroup(of: (Int, [MessageDraft]).self) { group in
            for part in 0..<parts {
                let share = count / parts + (part < count % parts ? 1 : 0)
                group.addTask {
                    var generator = generator(seed: seed &+ UInt64(part) &* 0x9E37_79B9)
                    var drafts: [MessageDraft] = []
                    drafts.reserveCapacity(share)
                    for _ in 0..<share { drafts.append(make(&generator)) }
                    return (part, drafts)
                }
            }
            var pieces: [(Int, [MessageDraft])] = []
            for await piece in group { pieces.append(piece) }
            return pieces
        }
        return pieces.sorted { $0.0 < $1.0 }.flatMap(\.1)
    }

    /// Appends `count` messages made by `make` to `store` as fast as it takes them: one producer task
    /// per core, each generating a unit of `unitSize` drafts and appending it (a unit may hold many
    /// messages; the writer still groups concurrent units).
    static func fill(
        _ store: OutboxStore, count: Int, seed: UInt64, unitSize: Int = 500,
        producers: Int = max(2, ProcessInfo.processInfo.activeProcessorCount),
        progress: (@Sendable (Int) -> Void)? = nil,
        _ make: @escaping @Sendable (inout TrafficGenerator) -> MessageDraft
    ) async throws {
        let done = Counter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for producer in 0..<producers {
                let share = count / producers + (producer < count % producers ? 1 : 0)
                group.addTask {
                    var generator = generator(seed: seed &+ UInt64(producer) &* 0x9E37_79B9)
                    var left = share
                    while left > 0 {
                        let size = min(unitSize, left)
                        var unit: [MessageDraft] = []
                        unit.reserveCapacity(size)
                        for _ in 0..<size { unit.append(make(&generator)) }
                        _ = try await store.append(unit)
                        left -= size
                        let total = await done.add(size)
                        progress?(total)
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}

actor Counter {
    private var value = 0
    func add(_ amount: Int) -> Int {
        value += amount
        return value
    }
}
