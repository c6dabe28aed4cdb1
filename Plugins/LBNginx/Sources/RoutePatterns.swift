/// Rules as regular expressions for nginx `map` blocks. Only regexes are checked in order of
/// appearance (exact names and wildcards are looked up first, whatever their place), so every
/// rule becomes one and the map keeps rancher's rule order.
///
/// HTTP rules match `"$host $uri"`: the lowercased host without port, a space, the normalized
/// path. `*.x` is rancher's hdr_end(.x), `x.*` its hdr_beg(x.), a path its path_beg.
enum RoutePatterns {
    static let metacharacters = Set("\\.^$|?*+()[]{}")

    static func escape(_ text: String) -> String {
        var result = ""
        for character in text {
            if metacharacters.contains(character) { result.append("\\") }
            result.append(character)
        }
        return result
    }

    /// The host part of a rule, unanchored.
    static func host(_ hostname: String) -> String {
        let name = hostname.lowercased()
        if name.hasPrefix("*.") { return "[^ ]+" + escape(String(name.dropFirst())) }
        if name.hasSuffix(".*") { return escape(String(name.dropLast())) + "[^ ]*" }
        return escape(name)
    }

    /// The key of an HTTP rule in the route map of its port.
    static func http(hostname: String?, path: String?) -> String {
        switch (hostname, path) {
        case let (hostname?, path?): return "^\(host(hostname)) \(escape(path))"
        case let (hostname?, nil): return "^\(host(hostname)) "
        case let (nil, path?): return "^[^ ]* \(escape(path))"
        case (nil, nil): return "^"
        }
    }

    /// The key of an sni rule in the map over `$ssl_preread_server_name` (matched case-insensitively).
    static func sni(hostname: String?) -> String {
        guard let hostname else { return "^" }
        return "^\(host(hostname))$"
    }
}
