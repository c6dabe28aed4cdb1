import Glibc
import PaddockLBModel
import PaddockPluginKit
import PluginABI

/// `apply`: validate and render everything first, `nginx -t` the candidate, and only then touch
/// what runs — start nginx, or swap the config and SIGHUP (nothing when the config is unchanged).
struct BalancerApply {
    let driver: NginxDriver
    let request: JSONValue

    func run() throws(DriverError) -> JSONValue {
        let config: LBConfig
        do {
            config = try LBConfig.parse(request)
        } catch {
            throw modelError(error, name: request["name"]?.stringValue)
        }
        let label = "balancer \"\(config.name)\""
        try NginxLimits.check(config, label: label)
        let (resolved, serverNames) = try resolveServices(config)
        let plan = BalancerPlan(resolved)
        let settings = driver.settings
        if !plan.streamPorts.isEmpty && !Files.exists(settings.streamModule) {
            throw DriverError(code: PADDOCK_E_NOT_SUPPORTED,
                              "\(label): tcp, udp and sni rules need nginx's stream module, which is not at \(settings.streamModule)",
                              details: "install it (Debian: apt-get install libnginx-mod-stream) or use http/https rules only")
        }
        let layout = driver.layout(config.name)
        let certificates: [Certificate]
        let text: ConfigText
        do {
            certificates = try CertificateSet.load(resolved)
            let custom = try CustomConfig.parse(resolved.customConfig)
            text = try NginxConfigRenderer.render(RenderInput(
                config: resolved, plan: plan, certificates: certificates, custom: custom, layout: layout,
                bindAddress: settings.bindAddress, streamModule: settings.streamModule))
        } catch {
            throw modelError(error, name: config.name)
        }

        let lock = try driver.locked(layout)
        defer { withExtendedLifetime(lock) {} }
        let fresh = !layout.exists
        let runner = driver.runner(config.name)
        var warnings = plan.warnings
        do {
            try layout.prepare()
            for certificate in certificates { try install(certificate, layout) }
            try Files.writeAtomically(layout.candidateFile, text.text)
        } catch {
            throw .io("\(label): cannot write under \(layout.root): \(error)", details: "check run_dir's permissions and free space")
        }
        let (accepted, output) = try runner.check(layout.candidateFile)
        guard accepted else {
            Files.remove(layout.candidateFile)
            if fresh { Files.removeTree(layout.root) }
            throw rejection(output, text, certificates, layout, label)
        }
        warnings += NginxMessages.warnings(output).map { "nginx -t: \($0)" }

        let applied: String
        let master: pid_t
        if let running = runner.runningMaster(), Files.readText(layout.configFile) == text.text {
            Files.remove(layout.candidateFile)
            applied = "unchanged"
            master = running
        } else if let running = runner.runningMaster() {
            do {
                try Files.writeAtomically(layout.previousFile, Files.read(layout.configFile))
                try Files.rename(layout.candidateFile, layout.configFile)
            } catch {
                throw .io("\(label): cannot replace \(layout.configFile): \(error)")
            }
            do {
                try runner.reload(running)
            } catch {
                // nginx kept the old config in memory; put the file back so it matches what runs.
                try? Files.rename(layout.previousFile, layout.configFile)
                throw naming(error, plan)
            }
            Files.remove(layout.previousFile)
            applied = "reload"
            master = running
        } else {
            do {
                try Files.rename(layout.candidateFile, layout.configFile)
            } catch {
                throw .io("\(label): cannot write \(layout.configFile): \(error)")
            }
            do {
                master = try runner.start()
            } catch {
                if fresh { Files.removeTree(layout.root) }
                throw naming(error, plan)
            }
            applied = "start"
        }

        do {
            let record = StatusReport.record(name: config.name, plan: plan, serverNames: serverNames, warnings: warnings)
            try Files.writeAtomically(layout.statusFile, record.serialized(pretty: true))
            try Files.writeAtomically(layout.requestFile, request.serialized(), mode: 0o600)
        } catch {
            throw .io("\(label): nginx runs the new config, but its status file cannot be written: \(error)")
        }
        removeUnusedCertificates(keeping: certificates, layout)
        if applied != "unchanged" { driver.host.log(.info, "\(label): \(applied) (nginx master \(master))") }
        return [
            "name": .string(config.name), "applied": .string(applied), "config": .string(layout.configFile),
            "pid": .number(Double(master)), "warnings": .array(warnings.map { .string($0) }),
        ]
    }

    /// `service` rules get the addresses of that service's containers from the host's metadata.
    func resolveServices(_ config: LBConfig) throws(DriverError) -> (LBConfig, [String: String]) {
        guard config.portRules.contains(where: { $0.service != nil }) else { return (config, [:]) }
        let containers: [JSONValue]
        do {
            containers = try driver.host.metadata(["type": "containers"]).arrayValue ?? []
        } catch {
            throw DriverError(code: error.code, "balancer \"\(config.name)\": cannot read the containers to resolve services: \(error.message)",
                              details: error.details)
        }
        let resolved: LBConfig
        do {
            resolved = try ServiceResolution.resolve(config, containers: containers)
        } catch {
            throw modelError(error, name: config.name)
        }
        // Status names a server after its container ("ip:port" of a service rule's members).
        var names: [String: String] = [:]
        for rule in config.portRules {
            guard let service = rule.service else { continue }
            for container in ServiceResolution.members(of: service, in: containers) {
                guard let ip = container["ip"]?.stringValue ?? container["primary_ip"]?.stringValue,
                      let name = container["name"]?.stringValue else { continue }
                names[Target(address: ip, port: rule.targetPort ?? rule.sourcePort).description] = name
            }
        }
        return (resolved, names)
    }

    /// Copies a certificate into the prefix under its content's fingerprint (key mode 0600), so a
    /// running nginx never sees a half-written file and a changed certificate changes the config.
    func install(_ certificate: Certificate, _ layout: BalancerLayout) throws(Files.Failure) {
        let chain = layout.certificateFile(certificate.fingerprint)
        let key = layout.keyFile(certificate.fingerprint)
        if Files.readText(chain) != certificate.chain { try Files.writeAtomically(chain, certificate.chain, mode: 0o644) }
        if Files.readText(key) != certificate.key { try Files.writeAtomically(key, certificate.key, mode: 0o600) }
    }

    func removeUnusedCertificates(keeping certificates: [Certificate], _ layout: BalancerLayout) {
        let kept = Set(certificates.flatMap { [layout.certificateFile($0.fingerprint), layout.keyFile($0.fingerprint)] })
        for name in Files.listDirectory(layout.certificateDirectory) where !kept.contains("\(layout.certificateDirectory)/\(name)") {
            Files.remove("\(layout.certificateDirectory)/\(name)")
        }
    }

    /// nginx names the address it could not bind; say which rule wants that port.
    func naming(_ error: DriverError, _ plan: BalancerPlan) -> DriverError {
        guard let range = error.message.firstRange(of: "bind() to ") else { return error }
        let address = error.message[range.upperBound...].prefix { $0 != " " }
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]),
              let rule = plan.ports.first(where: { $0.port == port })?.rules.first else { return error }
        var named = error
        named.message += " — wanted by \(NginxConfigRenderer.describe(rule.index, rule.rule))"
        return named
    }

    func modelError(_ error: LBModelError, name: String?) -> DriverError {
        let label = name.map { "balancer \"\($0)\"" } ?? "balancer"
        let what = error.location.isEmpty ? "the request" : error.location
        return .invalidConfig("\(label): \(error)", details: "nothing was changed; fix \(what) and apply again")
    }

    /// nginx -t refused the candidate: its message, and the rule or custom-config line behind the
    /// line nginx names (or the certificate behind the file it names).
    func rejection(_ output: String, _ text: ConfigText, _ certificates: [Certificate], _ layout: BalancerLayout,
                   _ label: String) -> DriverError {
        let problems = NginxMessages.problems(output)
        var message = problems.first ?? output.trimmingCharacters(in: " \n")
        var origin: String?
        let marker = " in \(layout.candidateFile):"
        if let range = message.firstRange(of: marker) {
            let digits = message[range.upperBound...].prefix { $0.isNumber }
            if let line = Int(digits) {
                origin = text.origin(ofLine: line) ?? "line \(line) of the generated config"
            }
            message = String(message[..<range.lowerBound])
        }
        for certificate in certificates where message.contains(certificate.fingerprint) {
            origin = "\(certificate.origin) (\(certificate.source))"
        }
        let at = origin.map { " at \($0)" } ?? ""
        return .invalidConfig("\(label): nginx rejected the config\(at): \(message)",
                              details: "nginx -t said: \(problems.isEmpty ? output : problems.joined(separator: "; ")). Nothing changed: "
                                  + "the running config keeps serving. Fix \(origin ?? "the config") and apply again.")
    }
}
