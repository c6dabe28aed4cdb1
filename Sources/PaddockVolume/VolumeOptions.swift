/// Per-volume options (`-o key=value`, Docker's Opts, FlexVolume's JSON) and their check against
/// the names the driver declares in `capabilities` ("options").
public enum VolumeOptions {
    /// Parses `key=value` arguments; the value may contain '=' and may be empty.
    public static func parse(_ arguments: [String]) throws(VolumeError) -> [String: String] {
        var options: [String: String] = [:]
        for argument in arguments {
            guard let equals = argument.firstIndex(of: "="), equals != argument.startIndex else {
                throw VolumeError(.invalidOption, "option \"\(argument)\" is not key=value", hint: "write -o key=value")
            }
            let key = String(argument[..<equals])
            guard options[key] == nil else {
                throw VolumeError(.invalidOption, "option \(key) is given twice", hint: "give each option once")
            }
            options[key] = String(argument[argument.index(after: equals)...])
        }
        return options
    }

    /// Refuses options the driver does not declare, naming each one and what the driver takes.
    public static func check(_ options: [String: String], accepted: [String], driver: String) throws(VolumeError) {
        let unknown = options.keys.filter { !accepted.contains($0) }.sorted()
        guard !unknown.isEmpty else { return }
        let takes = accepted.isEmpty ? "it takes no volume options" : "it takes \(accepted.sorted().joined(separator: ", "))"
        let noun = unknown.count == 1 ? "option" : "options"
        throw VolumeError(.invalidOption, "plugin \(driver) does not know the \(noun) \(unknown.joined(separator: ", "))",
                          hint: "\(takes) (its `capabilities` \"options\")")
    }
}
