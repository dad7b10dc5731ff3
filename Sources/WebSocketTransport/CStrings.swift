import Foundation

/// Owns `strdup`ed C strings that lws may read after the call that received them returned.
final class CStrings {
    private var pointers: [UnsafeMutablePointer<CChar>] = []

    func make(_ text: String) -> UnsafePointer<CChar> {
        let pointer = strdup(text)!
        pointers.append(pointer)
        return UnsafePointer(pointer)
    }

    func make(_ text: String?) -> UnsafePointer<CChar>? { text.map { make($0) } }

    deinit { pointers.forEach { free($0) } }
}
