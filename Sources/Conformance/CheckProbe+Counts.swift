import Foundation
internal import ConnectorCore
import WebSocketTransport

/// What the wire cannot show: how the cloud counted. Only a cloud with a counts endpoint shaped
/// like the reference cloud's answers it.
extension CheckProbe {
    enum Counts {
        case counted(JSONValue)
        case notObservable(String)
    }

    /// `GET {api}/admin/devices/{id}/counts`, which the reference cloud serves; other clouds need not.
    func counts() async -> Counts {
        let escaped = deviceID.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? deviceID
        let path = "admin/devices/\(escaped)/counts"
        var headers: HTTPHeaders = [:]
        headers.add(name: "Accept", value: "application/json")
        if let key = configuration.apiKey { headers.add(name: "Authorization", value: "Bearer " + key.revealed) }
        let response: HTTPClientResponse
        do {
            response = try await loop.send(HTTPClientRequest(
                url: Self.below(configuration.endpoint.apiURL, path), headers: headers, tls: configuration.tls, timeout: timeout))
        } catch {
            return .notObservable("GET {api}/\(path) failed (\(error))")
        }
        guard response.status == 200 else { return .notObservable("GET {api}/\(path) answered HTTP \(response.status)") }
        guard let body = try? JSON.parse(response.body), body.objectValue != nil else {
            return .notObservable("GET {api}/\(path) answered 200 without a JSON object")
        }
        return .counted(body)
    }
}
