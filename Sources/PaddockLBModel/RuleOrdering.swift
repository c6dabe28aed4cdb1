/// rancher lb-controller's rule order inside one frontend: priority first (lower wins), then rules
/// with host and path, then host only, then path only, then neither; ties keep the given order.
public enum RuleOrdering {
    public static func sorted(_ rules: [PortRule]) -> [PortRule] {
        rules.enumerated().sorted { a, b in
            if a.element.priority != b.element.priority { return a.element.priority < b.element.priority }
            let ra = specificity(a.element), rb = specificity(b.element)
            if ra != rb { return ra < rb }
            return a.offset < b.offset
        }.map(\.element)
    }

    static func specificity(_ rule: PortRule) -> Int {
        switch (rule.hostname != nil, rule.path != nil) {
        case (true, true): 0
        case (true, false): 1
        case (false, true): 2
        case (false, false): 3
        }
    }

    /// The backend name rancher derives: `<source port>_<host>_<path>`, non-alphanumerics → `_`,
    /// unless the rule names one.
    public static func backendName(for rule: PortRule) -> String {
        if let name = rule.backendName { return sanitize(name) }
        return sanitize("\(rule.sourcePort)_\(rule.hostname ?? "")_\(rule.path ?? "")")
    }

    public static func sanitize(_ text: String) -> String {
        String(text.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" })
    }
}
