import PaddockJSON

/// What one plugin execution prints and exits with.
public struct CNIOutcome: Equatable, Sendable {
    public var exitStatus: Int32
    /// The result, VERSION answer or error object; empty when the command prints nothing.
    public var stdout: String

    public init(exitStatus: Int32, stdout: String) {
        self.exitStatus = exitStatus
        self.stdout = stdout
    }
}

/// The CNI execution protocol (SPEC section 2) around a Paddock network driver: environment and
/// config checks, version negotiation, delegation, result shaping and error objects. Concurrent
/// runs are as safe as the gateway (the host's locks its runtime; the rest here is values).
public struct CNIAdapter: @unchecked Sendable {
    public let gateway: any CNIDriverGateway

    public init(gateway: any CNIDriverGateway) {
        self.gateway = gateway
    }

    public func run(environment: [String: String], stdin: [UInt8]) -> CNIOutcome {
        let answerVersion = CNIAdapter.answerVersion(stdin)
        do {
            let invocation = try CNIInvocation(environment: environment)
            if invocation.command == .version { return version(stdin) }
            let config = try CNINetworkConfig(bytes: stdin, command: invocation.command)
            return try execute(invocation, config)
        } catch {
            return CNIOutcome(exitStatus: 1, stdout: error.document(cniVersion: answerVersion).serialized() + "\n")
        }
    }

    func execute(_ invocation: CNIInvocation, _ config: CNINetworkConfig) throws(CNIError) -> CNIOutcome {
        let command = invocation.command
        if command == .add, config.prevResult == nil, let netns = invocation.netns, let interface = invocation.interfaceName {
            try gateway.checkInterfaceAbsent(netns: netns, interface: interface)
        }
        let request = invocation.driverRequest(config: config.raw)
        let (status, body) = try gateway.call(driver: config.driver, operation: command.driverOperation, request: request)
        if status != 0 {
            // Drivers without CHECK, STATUS or GC have nothing to verify or collect.
            if status == notSupportedStatus && [.check, .status, .gc].contains(command) { return CNIOutcome(exitStatus: 0, stdout: "") }
            throw CNIAdapter.driverError(status, body, driver: config.driver, command: command)
        }
        guard command == .add else { return CNIOutcome(exitStatus: 0, stdout: "") }
        do {
            var result = try CNIResult.normalize(body, version: config.version)
            if let previous = config.prevResult { result = CNIResult.merge(previous: previous, adding: result) }
            return CNIOutcome(exitStatus: 0, stdout: result.serialized() + "\n")
        } catch {
            throw CNIError(.internalError, "driver \(config.driver) returned an ADD result that is not a CNI \(config.version) result",
                           details: "\(error.message); fix the driver")
        }
    }

    /// VERSION (SPEC: needs only CNI_COMMAND; stdin may carry `{"cniVersion"}`).
    func version(_ stdin: [UInt8]) -> CNIOutcome {
        // SPEC: the answer carries the input's cniVersion; without a usable one, the latest.
        var echoed = CNIVersion.latest.description
        if !stdin.isEmpty, let text = (try? JSONValue(parsing: stdin))?["cniVersion"]?.stringValue, CNIVersion(text) != nil {
            echoed = text
        }
        let answer: JSONValue = [
            "cniVersion": .string(echoed),
            "supportedVersions": .array(CNIVersion.supported.map { .string($0.description) }),
        ]
        return CNIOutcome(exitStatus: 0, stdout: answer.serialized() + "\n")
    }

    /// The driver's error document as a CNI error: its status is the code (1–99 are CNI's, 100+
    /// Paddock's), its msg and details are kept and the driver is named.
    static func driverError(_ status: Int32, _ body: JSONValue, driver: String, command: CNICommand) -> CNIError {
        let message = body["msg"]?.stringValue ?? "failed"
        let details = body["details"]?.stringValue ?? ""
        return CNIError(CNIError.Code(rawValue: Int(status)), "driver \(driver): \(command.rawValue) failed: \(message)", details: details)
    }

    /// The config's cniVersion when it is one we speak, for answers and errors; else the latest.
    static func answerVersion(_ stdin: [UInt8]) -> String {
        guard !stdin.isEmpty, let value = try? JSONValue(parsing: stdin), let text = value["cniVersion"]?.stringValue,
              let version = CNIVersion(text), CNIVersion.supported.contains(version) else {
            return CNIVersion.latest.description
        }
        return text
    }
}
