/// The device and tenant a store belongs to (PROTOCOL R12).
public struct StoreIdentity: Sendable, Equatable, Codable {
    public let deviceID: String
    public let tenantID: String

    public init(deviceID: String, tenantID: String) {
        self.deviceID = deviceID
        self.tenantID = tenantID
    }
}
