import PaddockCore
import PaddockPosix

/// The language of a generated driver project.
public enum ScaffoldLanguage: String, Sendable, CaseIterable {
    case c, swift
}

/// What `paddock plugin new` is asked for: a driver project named `name` of one kind, in `directory`.
public struct ScaffoldRequest: Sendable {
    public var name: String
    public var kind: PluginKind
    public var language: ScaffoldLanguage
    /// The project directory to create; it must not exist.
    public var directory: String
    /// The Paddock source tree a Swift project depends on (`.package(path:)`); unused for C.
    public var paddockSource: String

    public init(name: String, kind: PluginKind, language: ScaffoldLanguage, directory: String, paddockSource: String) {
        self.name = name
        self.kind = kind
        self.language = language
        self.directory = directory
        self.paddockSource = paddockSource
    }

    /// Refuses a name the manifest would refuse, an existing directory, and (for Swift) a Paddock
    /// tree that is not one.
    public func validate() throws(HostError) {
        guard PluginManifest.isValidName(name) else {
            throw HostError(.invalidInput, "\"\(name)\" cannot be a plugin name: use 1-63 of a-z 0-9 . _ - starting with a letter or digit",
                            hint: "for example `paddock plugin new my-\(kind.rawValue) --kind \(kind.rawValue)`")
        }
        if FileSystem.exists(directory) || (try? FileSystem.linkStatus(directory)) != nil {
            throw HostError(.invalidInput, "\(directory) exists already; paddock plugin new never overwrites",
                            hint: "pass another --dir, or move \(directory) away first")
        }
        if language == .swift { try PaddockSourceTree.check(paddockSource) }
    }

    /// The Swift module name: the plugin name in UpperCamelCase ("my-vol.x" → "MyVolX").
    public var moduleName: String {
        let words = name.split { !$0.isLetter && !$0.isNumber }
        let joined = words.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        return joined.first?.isNumber == true ? "Driver\(joined)" : joined
    }
}
