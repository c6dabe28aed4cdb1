import PaddockCore
import PaddockPosix
import PluginABI

/// Calls a plugin's extension actions: finds the action in the manifest, resolves its symbol in
/// the loaded image, and calls it through libffi on the plugin's instance, under the same
/// serialization as contract operations.
public enum ActionCaller {
    /// The action `name` of `manifest`; the error lists the actions there are.
    public static func action(named name: String, in manifest: PluginManifest) throws(HostError) -> ExtensionAction {
        if let action = manifest.actions.first(where: { $0.name == name }) { return action }
        let known = manifest.actions.map(\.name)
        throw HostError(.notFound, "plugin \(manifest.name) has no action \(name)",
                        hint: known.isEmpty ? "its manifest declares no actions"
                            : "its actions are \(known.joined(separator: ", ")); `paddock plugin call \(manifest.name)` lists them")
    }

    /// Converts command-line strings by the action's signature, reading `@FILE` and `-` buffers.
    /// Refuses (before anything is loaded) what does not fit.
    public static func arguments(_ texts: [String], for action: ExtensionAction, plugin: String) throws(HostError) -> [ActionValue] {
        do {
            return try ActionArguments.convert(texts, for: action, load: BufferSourceReader.read)
        } catch {
            throw HostError(.invalidInput, "\(error.message); nothing was called",
                            hint: "usage: paddock plugin call \(plugin) \(action.name)\(action.signature.isEmpty ? "" : " " + action.usage)")
        }
    }

    /// Calls `action` with converted `arguments` on a running instance. A plugin failure is a
    /// CallResult with the status; a missing symbol or a refused call interface is a HostError.
    public static func call(_ action: ExtensionAction, _ arguments: [ActionValue], on instance: PluginInstance) throws(HostError) -> CallResult {
        let plugin = instance.plugin
        guard arguments.map(\.letter) == action.signature else {
            throw HostError(.invalidInput, "plugin \(plugin.name) action \(action.name): arguments do not match the signature \(action.usage)")
        }
        let address: UnsafeMutableRawPointer
        do {
            address = try plugin.library.symbol(action.symbol)
        } catch {
            throw HostError(.notFound,
                "plugin \(plugin.name) declares action \(action.name) with symbol \(action.symbol), but \(plugin.path) does not export it (\(error.message))",
                hint: "export \(action.symbol) from the plugin (PADDOCK_EXPORT in C, a public @c(\(action.symbol)) function in Swift) or correct \"symbol\" in its manifest")
        }
        let operation = "action \(action.name)"
        let function: ForeignFunction
        do {
            function = try ForeignFunction(address: address, argumentTypes: ActionArgumentFrame.types(for: action.signature),
                                           name: "plugin \(plugin.name) \(operation) (\(action.symbol))")
        } catch {
            throw HostError(.unsupported, error.description, hint: "this host's libffi cannot call this signature; report it with the plugin's manifest")
        }
        var result = paddock_buffer()
        let status: Int32? = withUnsafeMutablePointer(to: &result) { resultPointer in
            instance.withRawInstance { raw in
                let frame = ActionArgumentFrame(instance: raw, arguments: arguments, result: resultPointer)
                defer { frame.release() }
                precondition(frame.types == function.argumentTypes, "\(operation): the frame disagrees with the call interface")
                return function.call(frame.slots)
            }
        }
        let bytes = PluginInstance.take(&result, free: plugin.table.pointee.free_buffer)
        guard let status else {
            return CallResult(status: PADDOCK_E_UNAVAILABLE, body: StatusCode.errorDocument(
                PADDOCK_E_UNAVAILABLE, "plugin \(plugin.name) was stopped before \(operation)"))
        }
        return CallResult.from(status: status, bytes: bytes, plugin: plugin.name, operation: operation)
    }
}
