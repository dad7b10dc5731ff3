internal import CWebSockets

/// Reads request and response headers out of lws' parsed header table.
enum HeaderReader {
    /// Request-line tokens: lws stores the URI under the token of the method used.
    private static let methodTokens: [(lws_token_indexes, HTTPMethod)] = [
        (WSI_TOKEN_GET_URI, .get), (WSI_TOKEN_POST_URI, .post), (WSI_TOKEN_PUT_URI, .put),
        (WSI_TOKEN_PATCH_URI, HTTPMethod(rawValue: "PATCH")), (WSI_TOKEN_DELETE_URI, .delete),
        (WSI_TOKEN_OPTIONS_URI, HTTPMethod(rawValue: "OPTIONS")), (WSI_TOKEN_HEAD_URI, HTTPMethod(rawValue: "HEAD")),
    ]

    static func requestHead(_ wsi: OpaquePointer, extraNames: [String]) -> HTTPRequestHead {
        var method = HTTPMethod.get
        var path = "/"
        for (token, candidate) in methodTokens {
            if let uri = value(wsi, token) {
                method = candidate
                path = uri
                break
            }
        }
        return HTTPRequestHead(
            method: method, path: path, query: query(wsi),
            headers: headers(wsi, extraNames: extraNames))
    }

    /// Every header lws knows by name, plus the custom ones asked for.
    static func headers(_ wsi: OpaquePointer, extraNames: [String]) -> HTTPHeaders {
        var headers = HTTPHeaders()
        for index in 0..<_WSI_TOKEN_CLIENT_SENT_PROTOCOLS.rawValue {
            let token = lws_token_indexes(rawValue: index)
            guard let rawName = lws_token_to_string(token) else { continue }
            let name = String(cString: rawName)
            // Header tokens end in ':'; request-line and HTTP/2 pseudo-header tokens do not.
            guard name.hasSuffix(":"), !name.hasPrefix(":"), let value = value(wsi, token) else { continue }
            headers.add(name: String(name.dropLast()), value: value)
        }
        for name in extraNames {
            if let value = customValue(wsi, name) { headers.add(name: name, value: value) }
        }
        return headers
    }

    /// lws splits the query at '&' into fragments (and would join them with ',').
    static func query(_ wsi: OpaquePointer) -> String? {
        var parts: [String] = []
        for index in Int32(0)... {
            let length = Int(lws_hdr_fragment_length(wsi, WSI_TOKEN_HTTP_URI_ARGS, index))
            guard length > 0 else { break }
            var buffer = [CChar](repeating: 0, count: length + 1)
            let copied = Int(lws_hdr_copy_fragment(wsi, &buffer, Int32(buffer.count), WSI_TOKEN_HTTP_URI_ARGS, index))
            guard copied >= 0 else { break }
            parts.append(decode(buffer, count: copied))
        }
        return parts.isEmpty ? nil : parts.joined(separator: "&")
    }

    static func value(_ wsi: OpaquePointer, _ token: lws_token_indexes) -> String? {
        let length = Int(lws_hdr_total_length(wsi, token))
        guard length > 0 else { return nil }
        var buffer = [CChar](repeating: 0, count: length + 1)
        let copied = Int(lws_hdr_copy(wsi, &buffer, Int32(buffer.count), token))
        guard copied >= 0 else { return nil }
        return decode(buffer, count: copied)
    }

    /// Custom headers are stored under their lower-cased name including the colon.
    static func customValue(_ wsi: OpaquePointer, _ name: String) -> String? {
        let key = name.lowercased() + ":"
        let keyLength = Int32(key.utf8.count)
        let length = Int(lws_hdr_custom_length(wsi, key, keyLength))
        guard length > 0 else { return nil }
        var buffer = [CChar](repeating: 0, count: length + 1)
        let copied = Int(lws_hdr_custom_copy(wsi, &buffer, Int32(buffer.count), key, keyLength))
        guard copied >= 0 else { return nil }
        return decode(buffer, count: copied)
    }

    private static func decode(_ buffer: [CChar], count: Int) -> String {
        String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
