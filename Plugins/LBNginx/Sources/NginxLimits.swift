import PaddockLBModel
import PaddockPluginKit
import PluginABI

/// What the shared model allows but nginx open source cannot do, or cannot express safely in its
/// config syntax. Limits of nginx answer NOT_SUPPORTED (100); malformed values INVALID_CONFIG (7).
enum NginxLimits {
    static let hostCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_*")
    /// RFC 3986 path characters: unreserved, sub-delims, ":", "@", "/", "%".
    static let pathCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=:@/%")
    static let cookieCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")

    static func check(_ config: LBConfig, label: String) throws(DriverError) {
        for (index, rule) in config.portRules.enumerated() {
            if let hostname = rule.hostname, !hostname.allSatisfy(hostCharacters.contains) {
                throw .invalidConfig("\(label): port_rules[\(index)].hostname \"\(hostname)\" has characters a host name cannot have",
                                     details: "use letters, digits, '.', '-' and a leading \"*.\" or trailing \".*\" wildcard")
            }
            if let path = rule.path, !path.allSatisfy(pathCharacters.contains) {
                throw .invalidConfig("\(label): port_rules[\(index)].path \"\(path)\" has characters a URL path cannot have",
                                     details: "percent-encode them (RFC 3986); paths are matched against nginx's decoded $uri")
            }
        }
        guard let stickiness = config.stickiness else { return }
        if stickiness.mode != "insert" {
            throw DriverError(code: PADDOCK_E_NOT_SUPPORTED,
                              "\(label): stickiness_policy.mode \"\(stickiness.mode)\" is not supported by nginx open source",
                              details: "nginx open source cannot rewrite or prefix an application cookie; use mode \"insert\" (a cookie hashed with `hash $cookie_NAME consistent`)")
        }
        if stickiness.indirect || stickiness.postonly {
            throw DriverError(code: PADDOCK_E_NOT_SUPPORTED,
                              "\(label): stickiness_policy.\(stickiness.indirect ? "indirect" : "postonly") is not supported by nginx open source",
                              details: "nginx cannot hide the cookie from the servers or insert it on POST only; drop the option")
        }
        if !stickiness.cookie.allSatisfy(cookieCharacters.contains) {
            throw .invalidConfig("\(label): stickiness_policy.cookie \"\(stickiness.cookie)\" cannot be read by nginx",
                                 details: "nginx reads cookies as $cookie_NAME: use letters, digits and '_'")
        }
        if let domain = stickiness.domain, !domain.allSatisfy(hostCharacters.contains) {
            throw .invalidConfig("\(label): stickiness_policy.domain \"\(domain)\" is not a domain")
        }
    }
}
