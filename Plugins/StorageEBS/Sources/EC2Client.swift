import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import PaddockAWS
import PaddockPluginKit
import StorageEBSCore

/// Why an EC2 call failed: EC2 answered with an error, or no usable answer came back.
enum EC2Failure: Error {
    case service(EC2ServiceError)
    case transport(String)
}

/// The EC2 Query API over URLSession: form-encoded POST, SigV4-signed, XML answers. Retries
/// throttling and EC2-side failures twice with a growing pause. Logs actions and IDs, never
/// credentials or headers.
final class EC2Client {
    let settings: EBSSettings
    let url: URL
    let hostHeader: String
    let signer: SigV4Signer
    let session: URLSession
    let log: (HostClient.Level, String) -> Void

    init(settings: EBSSettings, log: @escaping (HostClient.Level, String) -> Void) throws(DriverError) {
        guard let url = URL(string: settings.endpoint), let host = url.host else {
            throw .invalidConfig("endpoint \"\(settings.endpoint)\" is not a URL with a host")
        }
        self.settings = settings
        self.url = url.path.isEmpty ? url.appendingPathComponent("/") : url
        hostHeader = url.port.map { "\(host):\($0)" } ?? host
        signer = SigV4Signer(
            credentials: .init(accessKeyID: settings.accessKeyID, secretAccessKey: settings.secretAccessKey,
                               sessionToken: settings.sessionToken),
            region: settings.region, service: "ec2")
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = settings.requestTimeout
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        session = URLSession(configuration: configuration)
        self.log = log
    }

    deinit { session.invalidateAndCancel() }

    func perform(_ call: EC2Call) throws(EC2Failure) -> XMLTree {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try once(call)
            } catch {
                if case .service(let failure) = error, failure.isRetryable, attempt < 3 {
                    log(.info, "EC2 \(call.action): \(failure.code), retrying (attempt \(attempt + 1) of 3)")
                    System.sleep(seconds: 0.5 * Double(attempt))
                    continue
                }
                throw error
            }
        }
    }

    private func once(_ call: EC2Call) throws(EC2Failure) -> XMLTree {
        let body = Array(call.formBody.utf8)
        let contentType = "application/x-www-form-urlencoded; charset=utf-8"
        let signed = signer.sign(
            SigV4Signer.Request(method: "POST", host: hostHeader, path: url.path.isEmpty ? "/" : url.path,
                                headers: [("Content-Type", contentType)], body: body),
            at: Date())
        var request = URLRequest(url: url, timeoutInterval: settings.requestTimeout)
        request.httpMethod = "POST"
        request.httpBody = Data(body)
        request.setValue(contentType, forHTTPHeaderField: "Content-Type")
        request.setValue(hostHeader, forHTTPHeaderField: "Host")
        for (name, value) in signed { request.setValue(value, forHTTPHeaderField: name) }
        log(.debug, "EC2 \(call.summary)")

        let exchange = Exchange()
        let done = DispatchSemaphore(value: 0)
        let task = session.dataTask(with: request) { data, response, error in
            exchange.data = data
            exchange.status = (response as? HTTPURLResponse)?.statusCode ?? 0
            exchange.error = error.map { "\($0.localizedDescription)" }
            done.signal()
        }
        task.resume()
        if done.wait(timeout: .now() + settings.requestTimeout + 5) == .timedOut {
            task.cancel()
            throw .transport("no answer from \(settings.endpoint) within \(Int(settings.requestTimeout)) s")
        }
        if let error = exchange.error {
            throw .transport("cannot reach \(settings.endpoint): \(error)")
        }
        let bytes = Array(exchange.data ?? Data())
        let tree: XMLTree
        do {
            tree = try XMLTree.parse(bytes)
        } catch {
            throw .transport("\(settings.endpoint) answered HTTP \(exchange.status) to \(call.action) with something that is not EC2's XML: \(error.message)")
        }
        if let failure = EC2ServiceError(answer: tree, httpStatus: exchange.status) { throw .service(failure) }
        guard (200..<300).contains(exchange.status) else {
            throw .transport("\(settings.endpoint) answered HTTP \(exchange.status) to \(call.action) without an EC2 error document: \(String(decoding: bytes.prefix(200), as: UTF8.self))")
        }
        return tree
    }

    /// The completion handler's results, handed across the semaphore.
    private final class Exchange: @unchecked Sendable {
        var data: Data?
        var status = 0
        var error: String?
    }
}
