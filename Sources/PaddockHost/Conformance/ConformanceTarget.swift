import PaddockCore
import PaddockPosix

/// What `paddock plugin test PATH|NAME` tests: a file named by path, or the plugin of that name on
/// the plugin path. Resolving never writes anything (no scan cache) and never runs plugin code.
public struct ConformanceTarget: Sendable {
    public var path: String
    public var name: String
    public var manifest: PluginManifest?

    /// An argument with a "/" or ending in ".so" is a path; anything else is a plugin name.
    public static func resolve(_ argument: String, pluginPath: [String]) throws(HostError) -> ConformanceTarget {
        if argument.contains("/") || argument.hasSuffix(".so") {
            return try file(argument)
        }
        let scanner = PluginScanner(pluginPath: pluginPath)
        let plugins = try scanner.scan().filter { $0.manifest != nil }
        let matches = plugins.filter { $0.name == argument }
        guard let match = matches.first else {
            let known = plugins.map(\.name)
            throw HostError(.notFound, "no plugin named \(argument) on the plugin path (\(pluginPath.joined(separator: ":")))",
                            hint: known.isEmpty ? "give the path of the .so file instead, e.g. ./\(argument).so"
                                : "known plugins: \(known.joined(separator: ", ")); or give the path of the .so file")
        }
        guard matches.count == 1 else {
            throw HostError(.ambiguous, "plugin \(argument) is claimed by \(matches.count) files: \(matches.map(\.path).joined(separator: ", "))",
                            hint: "test one of them by its path")
        }
        return try file(match.path)
    }

    static func file(_ path: String) throws(HostError) -> ConformanceTarget {
        let status: FileStatus
        do {
            status = try FileSystem.status(path)
        } catch {
            throw HostError(.notFound, "cannot test \(path): \(error)", hint: "give the path of a plugin .so file, or a name from `paddock plugin list`")
        }
        guard status.kind == .regular else {
            throw HostError(.invalidInput, "cannot test \(path): it is a \(status.kind.rawValue), not a plugin file")
        }
        // Absolute, so that dlopen in the child never searches the library path for it.
        let absolute = (try? FileSystem.realPath(path)) ?? path
        let manifest = try? ManifestAgreement.readManifest(absolute).get()
        var name = String(absolute.split(separator: "/").last ?? Substring(absolute))
        if let manifest { name = manifest.name }
        return ConformanceTarget(path: absolute, name: name, manifest: manifest)
    }

    /// The config `create` gets: the file's JSON object, or {}. A top-level "isolation" is the
    /// host's (as in `plugin enable`) and is dropped; the rest must match the plugin's schema.
    public func config(from file: String?) throws(HostError) -> JSONValue {
        guard let file else { return .object([:]) }
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.read(file, limit: 16 << 20)
        } catch {
            throw HostError(.invalidConfig, "cannot read config file: \(error)")
        }
        let value: JSONValue
        do {
            value = try JSONValue(parsing: bytes)
        } catch {
            throw HostError(.invalidConfig, "config file \(file) is not JSON: \(error)")
        }
        guard case .object(var object) = value else {
            throw HostError(.invalidConfig, "config file \(file) must hold a JSON object, not \(value.typeName)")
        }
        object.removeValue(forKey: "isolation")
        let config = JSONValue.object(object)
        guard let schemaValue = manifest?.configSchema else { return config }
        do {
            let violations = try JSONSchema(schemaValue).validate(config)
            guard violations.isEmpty else {
                throw HostError(.invalidConfig,
                    "config file \(file) does not match \(name)'s config schema:\n" + violations.map { "  - \($0)" }.joined(separator: "\n"),
                    hint: "the schema is the manifest's config_schema (`paddock plugin inspect \(name)` shows it)")
            }
        } catch let error as HostError {
            throw error
        } catch {
            throw HostError(.invalidConfig, "plugin \(name) (\(path)) ships an invalid config schema: \(error)")
        }
        return config
    }
}
