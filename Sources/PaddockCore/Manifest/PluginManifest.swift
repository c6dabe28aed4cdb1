/// The manifest a plugin embeds in its `paddock_manifest` ELF section, read without running it.
public struct PluginManifest: Sendable, Equatable {
    public var name: String
    public var version: String
    public var kinds: [PluginKind]
    public var abi: ABIVersion
    public var description: String
    public var license: String
    /// JSON Schema for the plugin's enable config; `nil` accepts any JSON object.
    public var configSchema: JSONValue?
    public var threadSafe: Bool
    public var actions: [ExtensionAction]
    /// The whole document, for `plugin inspect`.
    public var document: JSONValue

    /// Parses and checks the section's bytes (trailing NULs allowed). Every error says which key
    /// is wrong and how to fix it.
    public static func parse(_ bytes: some Collection<UInt8>) throws(ManifestError) -> PluginManifest {
        var trimmed = Array(bytes)
        while trimmed.last == 0 { trimmed.removeLast() }
        guard !trimmed.isEmpty else { throw ManifestError("the manifest section is empty") }
        let document: JSONValue
        do {
            document = try JSONValue(parsing: trimmed)
        } catch {
            throw ManifestError("the manifest is not JSON: \(error)")
        }
        guard case .object(let object) = document else {
            throw ManifestError("the manifest must be a JSON object, not \(document.typeName)")
        }
        func string(_ key: String) throws(ManifestError) -> String {
            guard let value = object[key] else { throw ManifestError("the manifest lacks \"\(key)\"") }
            guard let text = value.stringValue, !text.isEmpty else {
                throw ManifestError("manifest \"\(key)\" must be a non-empty string")
            }
            return text
        }
        let name = try string("name")
        guard PluginManifest.isValidName(name) else {
            throw ManifestError("manifest name \"\(name)\" is invalid: use 1-63 of a-z 0-9 . _ - starting with a letter or digit")
        }
        let version = try string("version")
        let abiText = try string("abi")
        guard let abi = ABIVersion(abiText) else {
            throw ManifestError("manifest \"abi\" is \"\(abiText)\"; write MAJOR.MINOR, e.g. \"1.0\"")
        }
        guard let kindValues = object["kinds"]?.arrayValue, !kindValues.isEmpty else {
            throw ManifestError("manifest \"kinds\" must be a non-empty array of network, lb, storage, orchestrator")
        }
        var kinds: [PluginKind] = []
        for value in kindValues {
            guard let text = value.stringValue, let kind = PluginKind(rawValue: text) else {
                throw ManifestError("manifest kind \(value.serialized()) is unknown; use network, lb, storage or orchestrator")
            }
            if !kinds.contains(kind) { kinds.append(kind) }
        }
        let description = try string("description")
        let license = try string("license")
        var schema: JSONValue?
        if let value = object["config_schema"], !value.isNull {
            guard value.objectValue != nil || value.boolValue != nil else {
                throw ManifestError("manifest \"config_schema\" must be a JSON Schema object")
            }
            do {
                _ = try JSONSchema(value)
            } catch {
                throw ManifestError("manifest \"config_schema\" is not a valid schema: \(error)")
            }
            schema = value
        }
        var threadSafe = false
        if let value = object["thread_safe"] {
            guard let flag = value.boolValue else { throw ManifestError("manifest \"thread_safe\" must be true or false") }
            threadSafe = flag
        }
        var actions: [ExtensionAction] = []
        if let value = object["actions"] {
            guard let list = value.arrayValue else { throw ManifestError("manifest \"actions\" must be an array") }
            for (index, item) in list.enumerated() {
                guard let actionName = item["name"]?.stringValue, !actionName.isEmpty,
                      let symbol = item["symbol"]?.stringValue, !symbol.isEmpty,
                      let signatureText = item["signature"]?.stringValue else {
                    throw ManifestError("manifest action #\(index + 1) needs string \"name\", \"symbol\" and \"signature\"")
                }
                guard !actions.contains(where: { $0.name == actionName }) else {
                    throw ManifestError("manifest declares action \"\(actionName)\" twice; give each action its own name")
                }
                let parsed = ExtensionAction.parseSignature(signatureText).flatMap { signature in
                    ExtensionAction.parseArgumentNames(item["arguments"], signature: signature).map { (signature, $0) }
                }
                switch parsed {
                case .success(let (signature, argumentNames)):
                    actions.append(ExtensionAction(
                        name: actionName, symbol: symbol, signature: signature,
                        description: item["description"]?.stringValue ?? "", argumentNames: argumentNames))
                case .failure(let error):
                    throw ManifestError("manifest action \"\(actionName)\": \(error.message)")
                }
            }
        }
        return PluginManifest(
            name: name, version: version, kinds: kinds.sorted(), abi: abi, description: description,
            license: license, configSchema: schema, threadSafe: threadSafe, actions: actions, document: document)
    }

    public static func isValidName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...63).contains(bytes.count) else { return false }
        func isAlnum(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) }
        guard isAlnum(bytes[0]) else { return false }
        return bytes.allSatisfy { isAlnum($0) || $0 == 0x2E || $0 == 0x5F || $0 == 0x2D }
    }
}

public struct ManifestError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
