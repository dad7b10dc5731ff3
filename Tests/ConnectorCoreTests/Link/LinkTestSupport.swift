import ConnectorCore
import Testing

/// A monotonic instant `seconds` after the test's origin.
func at(_ seconds: Double) -> MonotonicInstant {
    MonotonicInstant(nanoseconds: Int64((seconds * 1_000_000_000).rounded()))
}

func seconds(_ value: Double) -> Duration {
    .nanoseconds(Int64((value * 1_000_000_000).rounded()))
}

/// The decode error for `text`, or nil when it decodes.
func frameDecodeError(_ text: String) -> FrameDecodeError? {
    do {
        _ = try InboundEnvelope.decode(text)
        return nil
    } catch {
        return error
    }
}

func frameDecodeError(bytes: [UInt8]) -> FrameDecodeError? {
    do {
        _ = try InboundEnvelope.decode(bytes)
        return nil
    } catch {
        return error
    }
}

/// Everything Swift can print about `value`: description, debug description and dump.
func everyTextForm(of value: some Any) -> String {
    var dumped = ""
    dump(value, to: &dumped)
    return String(describing: value) + "\n" + String(reflecting: value) + "\n" + dumped + "\n" + "\(value)"
}
