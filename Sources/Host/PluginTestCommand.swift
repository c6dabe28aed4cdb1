import ArgumentParser
import PaddockCore
import PaddockHost

struct PluginTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run the conformance kit: check that a plugin keeps the driver contract.",
        usage: "paddock plugin test <plugin> [--config <file>] [--timeout <seconds>] [--state-dir <dir>] [--format table|json]",
        discussion: """
            Loads the plugin the way the host does and checks that it keeps the contract of \
            <paddock/plugin.h> (docs/abi.md), one line per check. Every check runs in a child \
            `paddock` process, so a plugin that crashes, calls exit() or hangs fails the check it \
            was in, and a new child carries on with the checks after it.

            PLUGIN is the path of a .so file (an argument with a "/" or ending in ".so") or the \
            name of a plugin on the plugin path. A file is tested where it is: it need not be \
            installed or enabled.

            CHECKS, in the order they run:
            - negotiation.accepts-host-range: the entry function accepts the host's ABI range, \
            chooses a version inside it and returns its table.
            - negotiation.refuses-impossible-range: offered ABI 2.0-2.0 (in a process of its own), \
            it refuses with PADDOCK_E_INCOMPATIBLE_VERSION or PADDOCK_E_REFUSED and a reason.
            - manifest.matches-descriptor: PADDOCK_MANIFEST and the plugin table agree on name, \
            version, kinds, thread_safe and the ABI major.
            - table.plugin, table.KIND: struct_size at least ABI 1.0's, version 1.x, required \
            members set, reserved slots NULL, a kind table exactly for each declared kind.
            - create: an instance is made with the config (--config FILE, default {}).
            - KIND.OP.valid-json, KIND.OP.invalid-json, KIND.OP.empty-payload, KIND.OP.non-object: \
            each operation the plugin implements is called with a plausible request; with \
            truncated JSON and with text; with length 0 and a NULL pointer and a non-NULL one; \
            and with an array, a string, a number and null. It must not crash, must answer JSON \
            (or nothing) on PADDOCK_OK, and must answer every other status with an error \
            document {"code": <that status>, "msg": "<non-empty>", "details": "<string>"}.
            - KIND.OP.idempotent: teardown of something absent succeeds, twice: network.del \
            (after an add), lb.remove, storage.remove, storage.unmount, storage.detach, \
            orchestrator.remove.
            - thread-safety: 8 threads call the read-only operations at once. A plugin that \
            claims PADDOCK_PLUGIN_THREAD_SAFE must not crash and must answer each as it does \
            when asked alone; for one that does not claim it, the host must have let in one \
            call at a time.
            - destroy: the instance is destroyed without crashing.
            Operations left NULL in a table are "not supported" by contract and are not called. \
            When create fails, the checks that need an instance are not run.

            OUTPUT: one line per check, "ok  CHECK" or "FAIL CHECK: WHY", then a last line \
            "N passed, N failed". With --format json: {"plugin", "path", "checks": [{"check", \
            "ok", "why"}], "passed", "failed"}.

            STATE: the plugin gets a scratch state directory for its key-value store and events: \
            --state-dir DIR when given (kept, so DIR/kv/NAME.json can be read afterwards), \
            otherwise a new temporary directory removed at the end. Neither $PADDOCK_STATE_DIR nor \
            the default state directory is used.

            EXIT STATUS: 0 when every check passed; 1 when a check failed or the plugin or the \
            config could not be used.

            EXAMPLES:
              paddock plugin test ./build/mydriver.so
              paddock plugin test host-local --config ipam.json
              paddock plugin test ./mydriver.so --format json --timeout 30
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The plugin: a path to its .so file, or its name on the plugin path.", valueName: "plugin"))
    var plugin: String

    @Option(help: ArgumentHelp("A JSON file with the config `create` gets (default {}); checked against the plugin's config schema first.", valueName: "file"))
    var config: String?

    @Option(help: ArgumentHelp("Seconds one check may take before it counts as hung (the thread-safety check gets three times as long).", valueName: "seconds"))
    var timeout: Double = 10

    func validate() throws {
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
    }

    func run() throws {
        let report: ConformanceReport
        do {
            let (configuration, _) = global.hostConfiguration()
            let target = try ConformanceTarget.resolve(plugin, pluginPath: configuration.pluginPath)
            let createConfig = try target.config(from: config)
            let state = try ScratchStateDirectory(explicit: global.stateDir)
            defer { state.finish() }
            let runner = ConformanceRunner(executable: configuration.executable, timeoutSeconds: timeout)
            report = ConformanceReport(plugin: target.name, path: target.path,
                                       results: runner.run(path: target.path, config: createConfig, stateDirectory: state.path))
        } catch {
            throw fail(error)
        }
        switch global.format {
        case .json: print(report.json.serialized(pretty: true))
        case .table: print(report.text)
        }
        if !report.allPassed { throw ExitCode(1) }
    }
}

/// The child side of `plugin test`; not for people.
struct PluginConformChild: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "__conform", abstract: "Run conformance checks on a plugin in this process (internal).",
        shouldDisplay: false)

    @Argument var path: String
    @Option var suite: String
    @Option(name: .customLong("state-dir")) var stateDir: String
    @Option(name: .customLong("config-json")) var configJSON: String = "{}"
    @Option var timeout: Double = 10
    @Option var skip: [String] = []

    func run() throws {
        guard let suite = ConformanceSuite(rawValue: suite) else {
            throw ValidationError("--suite must be \(ConformanceSuite.allCases.map(\.rawValue).joined(separator: " or "))")
        }
        let config: JSONValue
        do {
            config = try JSONValue(parsing: configJSON)
        } catch {
            throw ValidationError("--config-json is not JSON: \(error)")
        }
        let code = ConformanceAgent.run(ConformanceAgentOptions(
            path: path, suite: suite, stateDirectory: stateDir, config: config, timeoutSeconds: timeout, skip: Set(skip)))
        if code != 0 { throw ExitCode(code) }
    }
}
