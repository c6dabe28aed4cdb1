import PaddockCore
import PaddockPosix

/// What reading each plugin file told, keyed by path and checked against the file's identity
/// (size, mtime, inode, device) — GStreamer's registry idea — so a repeated `plugin list` reads no
/// unchanged file. It also holds quarantines: a plugin whose probe crashed or hung stays an error
/// with its reason until the file changes or `paddock plugin reset` clears it. A cache file that
/// does not parse is ignored and rebuilt, never trusted.
public struct ScanCache: Sendable {
    public struct Entry: Sendable, Equatable {
        public var identity: FileIdentity
        public var file: PluginFile
        public var quarantine: String?
    }

    public let path: String
    var lockPath: String { path + ".lock" }
    public private(set) var entries: [String: Entry] = [:]
    public private(set) var changed = false
    /// Set when the file on disk was corrupt and is being rebuilt.
    public private(set) var discardedCorruptFile = false

    public init(path: String) { self.path = path }

    public static func load(path: String) -> ScanCache {
        var cache = ScanCache(path: path)
        guard FileSystem.exists(path) else { return cache }
        guard let bytes = try? FileSystem.read(path), let document = try? JSONValue(parsing: bytes),
              document["version"]?.intValue == 1, let raw = document["entries"]?.objectValue else {
            cache.discardedCorruptFile = true
            cache.changed = true
            return cache
        }
        for (file, value) in raw {
            if let entry = Self.decode(value) { cache.entries[file] = entry } else { cache.changed = true }
        }
        return cache
    }

    public func lookup(_ file: String, identity: FileIdentity) -> Entry? {
        guard let entry = entries[file], entry.identity == identity else { return nil }
        return entry
    }

    public mutating func store(_ file: String, identity: FileIdentity, result: PluginFile) {
        let quarantine = entries[file].flatMap { $0.identity == identity ? $0.quarantine : nil }
        let entry = Entry(identity: identity, file: result, quarantine: quarantine)
        if entries[file] != entry {
            entries[file] = entry
            changed = true
        }
    }

    /// Drops entries for files no longer on the path.
    public mutating func retain(only files: Set<String>) {
        for key in entries.keys where !files.contains(key) {
            entries[key] = nil
            changed = true
        }
    }

    /// Writes the cache back when something changed; failures only cost speed next time.
    public func save() {
        guard changed else { return }
        try? FileSystem.makeDirectories(AtomicFile.parentDirectoryPath(of: path), mode: 0o755)
        try? FileLock.withExclusiveLock(lockPath) {
            try AtomicFile.write(Array(encoded().serialized().utf8) + [10], to: path, mode: 0o644)
        }
    }

    /// Updates one entry under the lock (re-reading the file first, so concurrent writers merge).
    public static func update(path: String, _ body: (inout ScanCache) -> Void) throws {
        try FileSystem.makeDirectories(AtomicFile.parentDirectoryPath(of: path), mode: 0o755)
        try FileLock.withExclusiveLock(path + ".lock") {
            var cache = ScanCache.load(path: path)
            body(&cache)
            try AtomicFile.write(Array(cache.encoded().serialized().utf8) + [10], to: path, mode: 0o644)
        }
    }

    public mutating func quarantine(_ file: String, identity: FileIdentity, result: PluginFile, reason: String) {
        entries[file] = Entry(identity: identity, file: result, quarantine: reason)
        changed = true
    }

    /// Clears the quarantine and the record of `file`; true when there was something to clear.
    @discardableResult
    public mutating func reset(_ file: String) -> Bool {
        guard entries.removeValue(forKey: file) != nil else { return false }
        changed = true
        return true
    }

    func encoded() -> JSONValue {
        .object(["version": 1, "entries": .object(entries.mapValues(Self.encode))])
    }

    static func encode(_ entry: Entry) -> JSONValue {
        var verdict: [String: JSONValue]
        switch entry.file.verdict {
        case .loadable: verdict = ["kind": "loadable"]
        case .skipped(let reason): verdict = ["kind": "skipped", "reason": .string(reason)]
        case .error(let reason): verdict = ["kind": "error", "reason": .string(reason)]
        }
        var object: [String: JSONValue] = [
            "identity": entry.identity.json,
            "verdict": .object(verdict),
            "manifest": entry.file.manifest?.document ?? .null,
            "build": .object(entry.file.fingerprint.entries.mapValues { .string($0) }),
            "needed": .array(entry.file.neededLibraries.map { .string($0) }),
            "links_swift": .bool(entry.file.linksSwift),
        ]
        if let quarantine = entry.quarantine { object["quarantine"] = .string(quarantine) }
        return .object(object)
    }

    static func decode(_ value: JSONValue) -> Entry? {
        guard let identity = FileIdentity(json: value["identity"]), let kind = value["verdict"]?["kind"]?.stringValue else { return nil }
        let reason = value["verdict"]?["reason"]?.stringValue ?? ""
        let verdict: PluginFile.Verdict
        switch kind {
        case "loadable": verdict = .loadable
        case "skipped": verdict = .skipped(reason)
        case "error": verdict = .error(reason)
        default: return nil
        }
        var manifest: PluginManifest?
        if let document = value["manifest"], !document.isNull {
            guard let parsed = try? PluginManifest.parse(Array(document.serialized().utf8)) else { return nil }
            manifest = parsed
        }
        let build = (value["build"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
        let file = PluginFile(manifest: manifest, fingerprint: BuildFingerprint(entries: build),
                              neededLibraries: (value["needed"]?.arrayValue ?? []).compactMap(\.stringValue),
                              linksSwift: value["links_swift"]?.boolValue ?? false, verdict: verdict)
        return Entry(identity: identity, file: file, quarantine: value["quarantine"]?.stringValue)
    }
}
