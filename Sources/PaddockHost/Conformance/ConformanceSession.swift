import PaddockCore
import PaddockPosix

/// One child's run through its checks. Checks in `skip` are not run or reported, but the setup
/// they stand for (loading, creating the instance) still happens, silently.
struct ConformanceSession {
    let options: ConformanceAgentOptions
    let reporter: ConformanceReporter
    let watchdog: ConformanceWatchdog

    private var timeout: Double { options.timeoutSeconds }

    func runRefusal() -> Int32 {
        let name = ConformanceCheckName.negotiationRefuses
        reporter.send(.plan([name]))
        begin(name)
        let result: ConformanceCheckResult
        do {
            let call = try NegotiationCall.perform(path: options.path, minimum: NegotiationChecks.impossible,
                                                   maximum: NegotiationChecks.impossible)
            result = NegotiationChecks.refuses(call)
        } catch {
            result = .fail(name, "could not load the plugin: \(error.message)")
        }
        finish(result)
        return result.passed ? 0 : 1
    }

    func runMain() -> Int32 {
        let accepts = ConformanceCheckName.negotiationAccepts
        let create = ConformanceCheckName.create
        if wanted(accepts) { begin(accepts) } else { watchdog.arm("", seconds: timeout) }
        let call: NegotiationCall
        do {
            call = try NegotiationCall.perform(path: options.path, minimum: ABIVersion.hostMinimum, maximum: ABIVersion.hostCurrent)
        } catch {
            return stopEarly(.fail(accepts, "could not load the plugin: \(error.message)"))
        }
        let acceptance = NegotiationChecks.accepts(call)
        guard acceptance.passed, let table = call.table else { return stopEarly(acceptance) }

        let descriptor = RuntimeDescriptor(table: table, abi: call.chosen)
        var negotiated: NegotiatedPlugin?
        var tableError = ""
        do {
            negotiated = try PluginImageLoader.validate(table: table, path: options.path, abi: call.chosen, library: call.library)
        } catch {
            tableError = error.message
        }
        let plan = negotiated.map(ConformancePlan.full) ?? ConformancePlan.loading(kinds: descriptor.kinds)
        reporter.send(.plan(plan))
        if wanted(accepts) { finish(acceptance) }
        check(ConformanceCheckName.manifestAgrees) { ManifestAgreement.check(path: options.path, descriptor: descriptor) }
        check(ConformanceCheckName.pluginTable) { TableChecks.plugin(table) }
        for kind in descriptor.kinds {
            check(ConformanceCheckName.table(kind)) { TableChecks.kind(table.pointee, kind) }
        }

        guard let negotiated else {
            check(create) { .fail(create, "no instance can be made: \(tableError); the checks that need one were not run") }
            return 1
        }
        let instance: PluginInstance
        if wanted(create) {
            begin(create)
            do {
                instance = try makeInstance(negotiated)
            } catch {
                reporter.send(.plan(Array(plan.prefix { $0 != create }) + [create]))
                finish(.fail(create, "\(error.message) (config: \(options.config.serialized())); give the kit the config the plugin needs with --config FILE. The checks that need an instance were not run"))
                return 1
            }
            finish(.pass(create))
        } else {
            watchdog.arm("", seconds: timeout)
            do {
                instance = try makeInstance(negotiated)
            } catch {
                reporter.send(.setupFailed("creating the instance again failed: \(error.message)"))
                return 1
            }
        }
        for name in plan.drop(while: { $0 != create }).dropFirst() {
            check(name, seconds: name == ConformanceCheckName.threadSafety ? timeout * 3 : timeout) {
                ConformancePlan.run(name, on: instance) ?? .fail(name, "the kit does not know this check (a kit bug)")
            }
        }
        watchdog.disarm()
        return 0
    }

    private func makeInstance(_ plugin: NegotiatedPlugin) throws(PluginLoadError) -> PluginInstance {
        let services = HostServices(
            pluginName: plugin.name, stateDirectory: options.stateDirectory, logger: Logger(level: .warning),
            isOrchestrator: plugin.kinds.contains(.orchestrator), router: nil)
        return try PluginInstance(plugin: plugin, config: options.config, services: services)
    }

    private func wanted(_ name: String) -> Bool { !options.skip.contains(name) }

    private func begin(_ name: String, seconds: Double? = nil) {
        reporter.send(.begin(name))
        watchdog.arm(name, seconds: seconds ?? timeout)
    }

    private func finish(_ result: ConformanceCheckResult) {
        watchdog.disarm()
        reporter.send(.result(result))
    }

    private func check(_ name: String, seconds: Double? = nil, _ body: () -> ConformanceCheckResult) {
        guard wanted(name) else { return }
        begin(name, seconds: seconds)
        finish(body())
    }

    /// Loading failed: nothing else can run. In a respawned child that is a setup failure.
    private func stopEarly(_ result: ConformanceCheckResult) -> Int32 {
        if wanted(result.check) {
            reporter.send(.plan([result.check]))
            finish(result)
        } else {
            reporter.send(.setupFailed("loading the plugin again failed: \(result.why)"))
        }
        return 1
    }
}
