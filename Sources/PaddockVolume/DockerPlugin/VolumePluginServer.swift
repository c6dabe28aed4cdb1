import Foundation
import PaddockHTTP
import PaddockPosix

/// Serves the Docker volume-plugin protocol on a unix socket: one thread per connection,
/// keep-alive, and a clean stop (socket removed, in-flight requests finished) when the stop
/// descriptor becomes readable (SIGTERM/SIGINT through TerminationSignals).
public final class VolumePluginServer: @unchecked Sendable {
    public let api: DockerVolumeAPI
    public let listener: UnixSocketListener
    /// An idle keep-alive connection is closed after this long.
    public var idleSeconds: Double = 300
    private let condition = NSCondition()
    private var connections: [Int32: StreamConnection] = [:]
    private var stopping = false

    /// Binds the socket (mode 0660: root and the docker group, like dockerd's own socket).
    public init(api: DockerVolumeAPI, socketPath: String) throws(SystemError) {
        self.api = api
        try FileSystem.makeDirectories(AtomicFile.parentDirectoryPath(of: socketPath))
        listener = try UnixSocketListener.bind(path: socketPath, mode: 0o660)
    }

    /// Accepts until `stopDescriptor` is readable, then stops: the socket goes first so no new
    /// client arrives, open connections are shut for reading, running requests finish (up to 10 s).
    public func run(stopDescriptor: Int32) {
        while true {
            var stop = pollfd(fd: stopDescriptor, events: Int16(POLLIN), revents: 0)
            if poll(&stop, 1, 0) > 0 { break }
            let connection: StreamConnection?
            do {
                connection = try listener.accept(timeoutSeconds: 1, wakeDescriptor: stopDescriptor)
            } catch {
                FileHandle.standardError.write(Data("paddock: volume plugin: \(error)\n".utf8))
                usleep(100_000)
                continue
            }
            guard let connection else { continue }
            condition.lock()
            connections[connection.descriptor] = connection
            condition.unlock()
            let thread = Thread { [self] in
                serve(connection)
                condition.lock()
                connections[connection.descriptor] = nil
                connection.close()
                condition.broadcast()
                condition.unlock()
            }
            thread.start()
        }
        listener.close()
        condition.lock()
        stopping = true
        for connection in connections.values { shutdown(connection.descriptor, Int32(SHUT_RD)) }
        let deadline = Date().addingTimeInterval(10)
        while !connections.isEmpty && condition.wait(until: deadline) {}
        condition.unlock()
    }

    /// Failed calls go to standard error, one line each, so an operator sees what Docker was told.
    private func logFailure(_ request: HTTPRequest, _ response: HTTPResponse) {
        let answer = String(decoding: response.body.prefix(600), as: UTF8.self)
        FileHandle.standardError.write(Data("paddock: volume plugin: \(request.path) -> \(response.status) \(answer)\n".utf8))
    }

    private func serve(_ connection: StreamConnection) {
        var parser = HTTPRequestParser()
        while true {
            do {
                while let request = try parser.next() {
                    let response = api.respond(to: request)
                    if response.status != 200 { logFailure(request, response) }
                    condition.lock()
                    let closing = !request.keepsAlive || stopping
                    condition.unlock()
                    try connection.write(response.serialized(closing: closing))
                    if closing { return }
                }
            } catch let error as HTTPParseError {
                let answer = DockerVolumeAPI.reply(error.status, ["Err": .string("bad request: \(error.message)")])
                try? connection.write(answer.serialized(closing: true))
                return
            } catch {
                return
            }
            let bytes: [UInt8]
            do {
                bytes = try connection.read(timeoutSeconds: idleSeconds)
            } catch {
                return
            }
            if bytes.isEmpty { return }
            parser.append(bytes)
        }
    }
}
