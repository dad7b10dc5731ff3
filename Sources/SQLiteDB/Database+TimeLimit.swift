internal import CSQLite

extension Database {
    /// Runs `body` with a deadline: once `limit` has passed, SQLite abandons the statement it is
    /// running with SQLITE_INTERRUPT (`SQLiteError.isInterrupted`). For work whose length grows with
    /// the file, such as `PRAGMA quick_check` on a large store, where a caller would rather stop
    /// than wait.
    public func withTimeLimit<T>(_ limit: Duration, _ body: () throws -> T) rethrows -> T {
        let deadline = Deadline(ContinuousClock.now + limit)
        // SQLite calls the handler every N virtual-machine steps (integrity checks call it per page
        // too); a clock read per thousand steps costs nothing measurable.
        sqlite3_progress_handler(handle, 1_000, deadlineCallback, Unmanaged.passUnretained(deadline).toOpaque())
        defer { sqlite3_progress_handler(handle, 0, nil, nil) }
        return try withExtendedLifetime(deadline) { try body() }
    }
}

extension SQLiteError {
    /// The statement was abandoned: a `withTimeLimit` deadline passed.
    public var isInterrupted: Bool { code == SQLITE_INTERRUPT }
}

private final class Deadline {
    let instant: ContinuousClock.Instant
    init(_ instant: ContinuousClock.Instant) { self.instant = instant }
}

private func deadlineCallback(_ context: UnsafeMutableRawPointer?) -> Int32 {
    guard let context else { return 0 }
    // Non-zero makes SQLite stop the statement with SQLITE_INTERRUPT.
    return ContinuousClock.now >= Unmanaged<Deadline>.fromOpaque(context).takeUnretainedValue().instant ? 1 : 0
}
