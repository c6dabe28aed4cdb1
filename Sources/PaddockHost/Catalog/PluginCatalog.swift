import Foundation
import PaddockCore
import PaddockPosix

/// The logic behind `paddock plugin …`: discovery joined with state, and the changes operators
/// make. The CLI renders what this returns; tests call it directly.
public struct PluginCatalog: Sendable {
    public let configuration: HostConfiguration
    public let scanner: PluginScanner
    public let state: StateStore
    public let prober: Prober

    public init(configuration: HostConfiguration, explicitDirectories: Set<String> = []) {
        self.configuration = configuration
        scanner = PluginScanner(
            pluginPath: configuration.pluginPath, explicitDirectories: explicitDirectories,
            signatures: SignaturePolicy(required: configuration.settings.requireSignatures,
                                        keysDirectory: configuration.keysDirectory),
            safeMode: SafeMode(enabled: configuration.settings.safeMode, executable: configuration.executable),
            cachePath: "\(configuration.stateDirectory)/scan-cache.json")
        state = StateStore(directory: configuration.stateDirectory)
        prober = Prober(executable: configuration.executable, timeoutSeconds: configuration.probeTimeoutSeconds)
    }

    /// Every plugin file on the path with its status; enabled plugins whose file vanished too.
    public func list() throws(HostError) -> [DiscoveredPlugin] {
        var plugins = try scanner.scan()
        let current = try state.read()
        var seen = Set<String>()
        for index in plugins.indices {
            let plugin = plugins[index]
            guard plugin.isLoadable else { continue }
            seen.insert(plugin.name)
            guard let record = current.plugins[plugin.name], record.path == plugin.path else { continue }
            let identity = plugin.fileStatus.map(FileIdentity.init)
            if record.enabled {
                plugins[index].status = .enabled
                if record.identity != identity {
                    plugins[index].reason = "the file changed since it was enabled; run `paddock plugin enable \(plugin.name)` to probe it again"
                }
            }
        }
        for (name, record) in current.plugins.sorted(by: { $0.key < $1.key })
        where record.enabled && !seen.contains(name) && !plugins.contains(where: { $0.path == record.path }) {
            plugins.append(DiscoveredPlugin(
                path: record.path, directory: AtomicFile.parentDirectoryPath(of: record.path), fileStatus: nil,
                file: nil, status: .error,
                reason: "enabled as \(name) but its file is no longer on the plugin path; reinstall it or run `paddock plugin disable \(name)`"))
        }
        return plugins
    }

    /// The one plugin called `name`; errors name the candidates when there is none or several.
    public func find(_ name: String) throws(HostError) -> DiscoveredPlugin {
        let plugins = try scanner.scan()
        let matches = plugins.filter { $0.name == name && $0.manifest != nil }
        if matches.count > 1 {
            throw HostError(.ambiguous, "plugin \(name) is claimed by \(matches.count) files: \(matches.map(\.path).joined(separator: ", "))",
                            hint: "remove or rename all but one")
        }
        guard let plugin = matches.first ?? plugins.first(where: { $0.name == name }) else {
            let known = plugins.filter { $0.manifest != nil }.map(\.name)
            throw HostError(.notFound, "no plugin named \(name) on the plugin path (\(configuration.pluginPath.joined(separator: ":")))",
                            hint: known.isEmpty ? "install one with `paddock plugin install PATH`" : "known plugins: \(known.joined(separator: ", "))")
        }
        return plugin
    }

    /// Validates `config` against the plugin's schema; the error lists every violation.
    public func validate(config: JSONValue, for plugin: DiscoveredPlugin, source: String) throws(HostError) {
        guard config.objectValue != nil else {
            throw HostError(.invalidConfig, "config for \(plugin.name) from \(source) must be a JSON object, not \(config.typeName)")
        }
        guard let schemaValue = plugin.manifest?.configSchema else { return }
        let schema: JSONSchema
        do {
            schema = try JSONSchema(schemaValue)
        } catch {
            throw HostError(.invalidConfig, "plugin \(plugin.name) ships an invalid config schema: \(error)")
        }
        let violations = schema.validate(config)
        guard violations.isEmpty else {
            throw HostError(.invalidConfig,
                "config for \(plugin.name) from \(source) does not match the plugin's schema:\n"
                    + violations.map { "  - \($0)" }.joined(separator: "\n"),
                hint: "see `paddock plugin inspect \(plugin.name)` for the schema")
        }
    }

    /// Validates the config, probes the plugin in a child process and records it as enabled.
    /// A failed probe is recorded too, so `list` shows the reason until the file changes.
    @discardableResult
    public func enable(_ name: String, config: JSONValue?, configSource: String = "(none)",
                       isolation: Isolation? = nil) throws -> JSONValue {
        let plugin = try find(name)
        guard plugin.isLoadable else {
            throw HostError(.probeFailed, "cannot enable \(name) (\(plugin.path)): \(plugin.reason)")
        }
        // "isolation" at the top of the enable config is the host's, not the plugin's.
        var effective = config ?? .object([:])
        var chosen = isolation ?? .inProcess
        if case .object(var object) = effective, let value = object.removeValue(forKey: "isolation") {
            guard let text = value.stringValue, let parsed = Isolation(rawValue: text) else {
                throw HostError(.invalidConfig, "\"isolation\" in the config from \(configSource) must be \"in-process\" or \"process\"")
            }
            if isolation == nil { chosen = parsed }
            effective = .object(object)
        }
        try validate(config: effective, for: plugin, source: configSource)
        let identity = plugin.fileStatus.map(FileIdentity.init)
        switch prober.probe(path: plugin.path) {
        case .failed(let reason):
            quarantine(plugin, reason: reason)
            throw HostError(.probeFailed, "plugin \(name) (\(plugin.path)) failed its probe: \(reason)",
                            hint: "fix or replace the file; it is quarantined (listed as error) until the file changes or `paddock plugin reset \(name)`")
        case .loaded(let description):
            do {
                try checkAgreement(plugin: plugin, description: description)
            } catch {
                quarantine(plugin, reason: error.message)
                throw error
            }
            try state.update { state in
                var users = state.plugins[name]?.users ?? []
                if state.plugins[name]?.path != plugin.path { users = [] }
                var record = PluginRecord(enabled: true, path: plugin.path, config: effective, identity: identity,
                                          changedAt: Self.now())
                record.users = users
                record.isolation = chosen.rawValue
                state.plugins[name] = record
            }
            return description
        }
    }

    /// Records a crash or hang while loading, so listing shows it until the file changes or reset.
    func quarantine(_ plugin: DiscoveredPlugin, reason: String) {
        guard let status = plugin.fileStatus, let file = plugin.file else { return }
        try? ScanCache.update(path: scanner.cachePath ?? "\(configuration.stateDirectory)/scan-cache.json") { cache in
            cache.quarantine(plugin.path, identity: FileIdentity(status), result: file, reason: reason)
        }
    }

    /// Clears a plugin's quarantine and cached scan record; it is read afresh on the next scan.
    public func reset(_ name: String) throws -> Bool {
        let candidates = try scanner.scan().filter { $0.name == name }
        guard !candidates.isEmpty else {
            throw HostError(.notFound, "no plugin named \(name) on the plugin path (\(configuration.pluginPath.joined(separator: ":")))")
        }
        var cleared = false
        try ScanCache.update(path: scanner.cachePath ?? "\(configuration.stateDirectory)/scan-cache.json") { cache in
            for candidate in candidates where cache.reset(candidate.path) { cleared = true }
        }
        return cleared
    }

    /// The descriptor the plugin returned at run time must agree with the manifest it carries.
    func checkAgreement(plugin: DiscoveredPlugin, description: JSONValue) throws(HostError) {
        guard let manifest = plugin.manifest else { return }
        var problems: [String] = []
        if description["name"]?.stringValue != manifest.name {
            problems.append("name is \"\(description["name"]?.stringValue ?? "?")\" in the descriptor but \"\(manifest.name)\" in the manifest")
        }
        if description["version"]?.stringValue != manifest.version {
            problems.append("version is \"\(description["version"]?.stringValue ?? "?")\" in the descriptor but \"\(manifest.version)\" in the manifest")
        }
        let kinds = (description["kinds"]?.arrayValue ?? []).compactMap(\.stringValue).sorted()
        if kinds != manifest.kinds.map(\.rawValue).sorted() {
            problems.append("kinds are [\(kinds.joined(separator: ","))] in the descriptor but [\(manifest.kinds.map(\.rawValue).joined(separator: ","))] in the manifest")
        }
        if description["thread_safe"]?.boolValue != manifest.threadSafe {
            problems.append("thread safety differs between the descriptor flags and the manifest")
        }
        guard problems.isEmpty else {
            throw HostError(.probeFailed, "plugin \(plugin.name) (\(plugin.path)): manifest disagrees with the descriptor: \(problems.joined(separator: "; "))",
                            hint: "rebuild it so PADDOCK_MANIFEST and the paddock_plugin table say the same")
        }
    }

    /// Marks the plugin disabled; refused while it has users unless `force`.
    public func disable(_ name: String, force: Bool) throws {
        try state.update { state in
            guard var record = state.plugins[name], record.enabled else {
                throw HostError(.notFound, "plugin \(name) is not enabled")
            }
            if !record.users.isEmpty && !force {
                throw HostError(.inUse, "plugin \(name) is in use by \(record.users.joined(separator: ", "))",
                                hint: "remove those first, or pass --force to stop calling it anyway")
            }
            record.enabled = false
            record.changedAt = Self.now()
            state.plugins[name] = record
        }
    }

    /// Records that `user` (e.g. "volume:data") relies on the plugin, so disable refuses.
    public func acquire(_ name: String, user: String) throws {
        try state.update { state in
            guard var record = state.plugins[name], record.enabled else {
                throw HostError(.notFound, "plugin \(name) is not enabled", hint: "run `paddock plugin enable \(name)`")
            }
            if !record.users.contains(user) { record.users.append(user) }
            state.plugins[name] = record
        }
    }

    public func release(_ name: String, user: String) throws {
        try state.update { state in
            state.plugins[name]?.users.removeAll { $0 == user }
        }
    }

    /// Checks a file as a plugin (read + probe) and copies it atomically into the first writable
    /// plugin directory. Returns the installed path.
    @discardableResult
    public func install(_ source: String) throws -> String {
        let candidate = scanner.inspect(path: source, directory: AtomicFile.parentDirectoryPath(of: source))
        guard candidate.isLoadable, let manifest = candidate.manifest else {
            throw HostError(.invalidInput, "\(source) is not an installable plugin: \(candidate.reason)")
        }
        if let existing = try scanner.scan().first(where: { $0.name == manifest.name }) {
            throw HostError(.invalidInput, "a plugin named \(manifest.name) is already installed at \(existing.path)",
                            hint: "run `paddock plugin remove \(manifest.name)` first")
        }
        if case .failed(let reason) = prober.probe(path: source) {
            throw HostError(.probeFailed, "\(source) failed its probe: \(reason)")
        }
        guard let directory = firstWritableDirectory() else {
            throw HostError(.unusablePath, "no writable plugin directory in \(configuration.pluginPath.joined(separator: ":"))",
                            hint: "pass --plugin-path DIR with a directory you can write")
        }
        let fileName = source.split(separator: "/").last.map(String.init) ?? "\(manifest.name).so"
        let destination = "\(directory)/\(fileName)"
        guard !FileSystem.exists(destination) else {
            throw HostError(.invalidInput, "\(destination) exists already", hint: "remove it or rename the file to install")
        }
        try AtomicFile.copy(source, to: destination, mode: 0o755)
        return destination
    }

    /// Deletes the plugin's file and its record; an enabled plugin must be disabled first.
    public func remove(_ name: String, force: Bool) throws {
        let plugin = try find(name)
        try state.update { state in
            if let record = state.plugins[name], record.enabled, !force {
                throw HostError(.inUse, "plugin \(name) is enabled", hint: "run `paddock plugin disable \(name)` first, or pass --force")
            }
            do {
                try FileSystem.remove(plugin.path)
            } catch {
                throw HostError(.io, "cannot remove \(plugin.path): \(error)")
            }
            state.plugins[name] = nil
        }
    }

    func firstWritableDirectory() -> String? {
        for directory in configuration.pluginPath {
            if FileSystem.exists(directory) {
                if FileSystem.isWritable(directory) { return directory }
                continue
            }
            if (try? FileSystem.makeDirectories(directory)) != nil { return directory }
        }
        return nil
    }

    static func now() -> String { ISO8601DateFormatter().string(from: Date()) }
}
