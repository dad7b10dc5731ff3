import Foundation

/// errno as the sentence strerror(3) gives, for error messages.
func errnoText(_ code: Int32 = errno) -> String {
    String(cString: strerror(code))
}
