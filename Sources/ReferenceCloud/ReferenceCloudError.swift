/// Why a reference-cloud operation failed.
public enum ReferenceCloudError: Error, Sendable, Equatable, CustomStringConvertible {
    case notStarted
    case alreadyStarted
    /// The device has no live session to send to.
    case deviceNotConnected(String)
    /// A frame to send lacks `type` or is not an object.
    case invalidFrame(String)
    case storage(String)
    case transport(String)

    public var description: String {
        switch self {
        case .notStarted: "the reference cloud is not running"
        case .alreadyStarted: "the reference cloud is already running"
        case .deviceNotConnected(let device): "device \(device) is not connected"
        case .invalidFrame(let why): "invalid frame: \(why)"
        case .storage(let why): "cloud storage: \(why)"
        case .transport(let why): "transport: \(why)"
        }
    }
}
