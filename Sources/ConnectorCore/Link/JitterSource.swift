/// The backoff's jitter source. The shell seeds it once from the system generator; tests seed it
/// with constants, so every schedule the core produces replays exactly. Jitter only needs to
/// decorrelate devices, not to be unpredictable.
public typealias JitterSource = SplitMix64
