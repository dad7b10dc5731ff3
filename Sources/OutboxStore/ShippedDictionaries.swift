/// A compression dictionary compiled into this binary. Its code and bytes never change once shipped:
/// a better dictionary gets a new code, and stores keep every dictionary they ever used.
struct ShippedDictionary: Sendable {
    let code: Int
    let name: String
    let bytes: [UInt8]
}

enum ShippedDictionaries {
    static let all: [ShippedDictionary] = [lz4_dict_v1]
}
