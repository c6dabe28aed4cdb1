import Foundation
import PaddockCore
import PaddockPosix
import PluginABI

/// A plugin instance living in a child `paddock plugin __worker` process. Calls go over a socket
/// one at a time; if the worker dies or hangs during a call, that call fails with a clear error
/// and the next call starts a fresh worker (created again with the same config). The host lives on.
public final class WorkerPluginInstance: DriverHandle, @unchecked Sendable {
    public let pluginName: String
    let path: String
    let config: JSONValue
    let executable: String
    let stateDirectory: String
    let callTimeoutSeconds: Double
    private let lock = NSLock()
    private var worker: WorkerProcess?
    private var stopped = false
    /// How many workers were started (1 + restarts); for tests and `status`.
    public private(set) var starts = 0

    public static let childArguments = ["plugin", "__worker"]

    /// The settings directory the worker reads paddock.json from (its metadata store), when known.
    let configDirectory: String?

    public init(pluginName: String, path: String, config: JSONValue, executable: String, stateDirectory: String,
                callTimeoutSeconds: Double = 120, configDirectory: String? = nil) throws {
        self.configDirectory = configDirectory
        self.pluginName = pluginName
        self.path = path
        self.config = config
        self.executable = executable
        self.stateDirectory = stateDirectory
        self.callTimeoutSeconds = callTimeoutSeconds
        lock.lock()
        defer { lock.unlock() }
        _ = try startWorker()
    }

    deinit { destroy() }

    public var workerPID: Int32? {
        lock.lock()
        defer { lock.unlock() }
        return worker?.pid
    }

    private func startWorker() throws -> WorkerProcess {
        var environment = ChildProcess.currentEnvironment()
        environment["SWIFT_BACKTRACE"] = "enable=no"
        if let configDirectory { environment["PADDOCK_CONFIG_DIR"] = configDirectory }
        let process = try WorkerProcess.spawn(
            executable, arguments: Self.childArguments + [path, "--name", pluginName, "--state-dir", stateDirectory],
            environment: environment)
        starts += 1
        do {
            try process.channel.send(WorkerFrame.createRequest(config: Array(config.serialized().utf8)))
            guard let frame = try process.channel.receive(timeoutSeconds: callTimeoutSeconds),
                  let (status, body) = WorkerFrame.parseReply(frame) else {
                throw HostError(.probeFailed, "plugin \(pluginName) worker died while starting: \(describe(process.reap()))")
            }
            guard status == PADDOCK_OK else {
                process.kill()
                _ = process.reap()
                throw HostError(.probeFailed, "plugin \(pluginName) refused its config in its worker: \(body["msg"]?.stringValue ?? "status \(status)")")
            }
        } catch let error as SystemError {
            process.kill()
            throw HostError(.probeFailed, "plugin \(pluginName) worker did not start: \(error) (\(describe(process.reap())))")
        }
        worker = process
        return process
    }

    public func call(_ kind: PluginKind, _ operation: String, request: [UInt8]) -> CallResult {
        lock.lock()
        defer { lock.unlock() }
        let label = "\(kind.rawValue).\(operation)"
        guard !stopped else {
            return CallResult(status: PADDOCK_E_UNAVAILABLE, body: StatusCode.errorDocument(
                PADDOCK_E_UNAVAILABLE, "plugin \(pluginName) was stopped"))
        }
        let process: WorkerProcess
        do {
            process = try worker ?? startWorker()
        } catch {
            return CallResult(status: PADDOCK_E_UNAVAILABLE, body: StatusCode.errorDocument(
                PADDOCK_E_UNAVAILABLE, "plugin \(pluginName) is unavailable: its worker could not be restarted", details: "\(error)"))
        }
        do throws(SystemError) {
            try process.channel.send(WorkerFrame.callRequest(kind: kind, operation: operation, request: request))
            if let frame = try process.channel.receive(timeoutSeconds: callTimeoutSeconds),
               let (status, body) = WorkerFrame.parseReply(frame) {
                return CallResult(status: status, body: body)
            }
            worker = nil
            let how = describe(process.reap())
            return CallResult(status: PADDOCK_E_INTERNAL, body: StatusCode.errorDocument(
                PADDOCK_E_INTERNAL, "plugin \(pluginName) crashed during \(label): its worker \(how)",
                details: "the call failed; the next call starts a new worker"))
        } catch {
            worker = nil
            process.kill()
            let how = describe(process.reap())
            let timedOut = error.errno == ETIMEDOUT
            return CallResult(status: timedOut ? PADDOCK_E_TIMEOUT : PADDOCK_E_INTERNAL, body: StatusCode.errorDocument(
                timedOut ? PADDOCK_E_TIMEOUT : PADDOCK_E_INTERNAL,
                timedOut ? "plugin \(pluginName) did not answer \(label) within \(Int(callTimeoutSeconds)) s; its worker was killed"
                         : "plugin \(pluginName) worker failed during \(label): \(error) (\(how))",
                details: "the next call starts a new worker"))
        }
    }

    public func destroy() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        guard let process = worker else { return }
        worker = nil
        try? process.channel.send([WorkerFrame.destroy])
        _ = process.reap(graceSeconds: 5)
    }

    private func describe(_ termination: ChildProcess.Termination) -> String {
        switch termination {
        case .exited(let code): "exited with status \(code)"
        case .signaled(let signal): "was killed by \(ChildProcess.signalName(signal))"
        case .timedOut: "did not exit and was killed"
        }
    }
}

/// The worker's side: load the plugin, answer frames on descriptor 3 until destroy or EOF.
public enum WorkerServer {
    public static func run(path: String, name: String, stateDirectory: String, logger: Logger,
                           metadata: MetadataSource? = nil) -> Int32 {
        let channel = SocketChannel(descriptor: WorkerProcess.socketDescriptor)
        var instance: PluginInstance?
        while true {
            guard let frame = try? channel.receive(), let request = WorkerFrame.parse(frame) else {
                instance?.destroy()
                return 0
            }
            switch request {
            case .create(let config):
                do {
                    let plugin = try PluginImageLoader.load(path: path)
                    let services = HostServices(pluginName: name, stateDirectory: stateDirectory, logger: logger,
                                                isOrchestrator: plugin.kinds.contains(.orchestrator), router: nil,
                                                metadata: metadata)
                    let value = config.isEmpty ? JSONValue.object([:]) : try JSONValue(parsing: config)
                    instance = try PluginInstance(plugin: plugin, config: value, services: services)
                    try? channel.send(WorkerFrame.reply(status: PADDOCK_OK, body: .object([:])))
                } catch {
                    try? channel.send(WorkerFrame.reply(status: PADDOCK_E_INVALID_CONFIG,
                                                        body: StatusCode.errorDocument(PADDOCK_E_INVALID_CONFIG, "\(error)")))
                    return 1
                }
            case .call(let kind, let operation, let bytes):
                let result = (operation == WorkerPluginInstance.notifyOperation
                              ? instance?.notify((try? JSONValue(parsing: bytes)) ?? .object([:]))
                              : instance?.call(kind, operation, request: bytes))
                    ?? CallResult(status: PADDOCK_E_UNAVAILABLE, body: StatusCode.errorDocument(PADDOCK_E_UNAVAILABLE, "no instance"))
                try? channel.send(WorkerFrame.reply(status: result.status, body: result.body))
            case .destroy:
                instance?.destroy()
                return 0
            }
        }
    }
}
