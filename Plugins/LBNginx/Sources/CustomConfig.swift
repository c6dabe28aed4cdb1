import PaddockLBModel

/// lb_config's custom `config`, merged per section as rancher merges HAProxy's: a section header
/// at the start of a line, then indented nginx directives.
///
///     http
///         keepalive_timeout 65;
///     server 8080
///         location /static/ { root /srv; }
///     upstream 8080_api_example_com_
///         least_conn;
///
/// Sections: `global` (alias `main`), `events`, `http` (alias `defaults`), `stream`, `server PORT`
/// (alias `frontend PORT`: the server block(s) of that source port), `upstream BACKEND` (alias
/// `backend BACKEND`). A directive the driver also writes in that block replaces the driver's;
/// others are added at the end of the block.
struct CustomConfig {
    enum Section: Hashable, CustomStringConvertible {
        case main, events, http, stream
        case server(Int)
        case upstream(String)

        var description: String {
            switch self {
            case .main: "global"
            case .events: "events"
            case .http: "http"
            case .stream: "stream"
            case .server(let port): "server \(port)"
            case .upstream(let name): "upstream \(name)"
            }
        }
    }

    /// One directive at the top of its section, with the lines of its block if it opens one.
    struct Statement {
        var key: String?
        /// (text trimmed, depth inside the statement, line number in the custom config)
        var lines: [(text: String, depth: Int, number: Int)]
        var section: Section
    }

    private(set) var statements: [Section: [Statement]] = [:]
    /// Where each section header was, to name it in errors.
    private(set) var headers: [Section: Int] = [:]

    var isEmpty: Bool { statements.isEmpty }

    /// Directives the driver must own: they point nginx at the balancer's prefix and addresses.
    static let managed: [String: String] = [
        "daemon": "global", "master_process": "global", "pid": "global", "error_log": "global",
        "client_body_temp_path": "http", "proxy_temp_path": "http", "fastcgi_temp_path": "http",
        "uwsgi_temp_path": "http", "scgi_temp_path": "http", "listen": "server",
    ]

    /// Directives that may appear several times in one block: a custom one replaces the driver's
    /// only when it sets the same header.
    static let keyedByFirstArgument: Set<String> = ["proxy_set_header", "add_header"]

    static func key(of line: String) -> String? {
        let tokens = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == ";" || $0 == "{" })
        guard let first = tokens.first, !first.hasPrefix("#"), !first.hasPrefix("}") else { return nil }
        let name = String(first)
        if keyedByFirstArgument.contains(name), tokens.count > 1 { return "\(name) \(tokens[1].lowercased())" }
        return name
    }

    static func parse(_ text: String) throws(LBModelError) -> CustomConfig {
        var config = CustomConfig()
        var section: Section?
        var depth = 0
        var current: Statement?
        func location(_ number: Int) -> String { "lb_config.config line \(number)" }
        func finish() {
            if let statement = current, let section { config.statements[section, default: []].append(statement) }
            current = nil
        }
        for (offset, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = offset + 1
            let trimmed = raw.trimmingCharacters(in: " \t\r")
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            // A closing } at the start of a line still belongs to the open block.
            let indented = raw.first == " " || raw.first == "\t" || (depth > 0 && trimmed.hasPrefix("}"))
            if !indented {
                guard depth == 0 else {
                    throw LBModelError(location(number), "\"\(trimmed)\" starts a section while a { block of section \(section!) is still open")
                }
                finish()
                let next = try header(trimmed, location: location(number))
                guard config.headers[next] == nil else {
                    throw LBModelError(location(number), "section \(next) is already given at line \(config.headers[next]!); give each section once")
                }
                config.headers[next] = number
                section = next
                continue
            }
            guard let section else {
                throw LBModelError(location(number), "\"\(trimmed)\" is outside any section; start with a section line such as \"http\" (sections: global, events, http, stream, server PORT, upstream BACKEND)")
            }
            let closesFirst = trimmed.hasPrefix("}")
            if depth == 0 {
                finish()
                guard !closesFirst else { throw LBModelError(location(number), "unbalanced }") }
                let key = Self.key(of: trimmed)
                if let name = key, let owner = managed[name], owner == sectionKind(section) {
                    throw LBModelError(location(number), "\(name) is set by the driver (it keeps each balancer inside its own prefix and bind_address); remove it")
                }
                current = Statement(key: key, lines: [], section: section)
            }
            current!.lines.append((trimmed, closesFirst ? depth - 1 : depth, number))
            depth += braceBalance(trimmed)
            guard depth >= 0 else { throw LBModelError(location(number), "unbalanced }") }
        }
        guard depth == 0 else {
            throw LBModelError("lb_config.config", "a { block of section \(section.map { "\($0)" } ?? "?") is not closed")
        }
        finish()
        return config
    }

    static func header(_ line: String, location: String) throws(LBModelError) -> Section {
        let words = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        switch (words.first ?? "", words.count) {
        case ("global", 1), ("main", 1): return .main
        case ("events", 1): return .events
        case ("http", 1), ("defaults", 1): return .http
        case ("stream", 1): return .stream
        case ("server", 2), ("frontend", 2):
            guard let port = Int(words[1]), (1...65535).contains(port) else {
                throw LBModelError(location, "\"\(line)\": \(words[0]) takes a source port (1-65535)")
            }
            return .server(port)
        case ("upstream", 2), ("backend", 2): return .upstream(words[1])
        default:
            throw LBModelError(location, "\"\(line)\" is not a section; sections are global, events, http, stream, server PORT and upstream BACKEND (rancher's defaults, frontend PORT and backend NAME are accepted too), each on its own line with its directives indented below")
        }
    }

    private static func sectionKind(_ section: Section) -> String {
        switch section {
        case .main: "global"
        case .events: "events"
        case .http: "http"
        case .stream: "stream"
        case .server: "server"
        case .upstream: "upstream"
        }
    }

    /// { minus } outside quotes and comments.
    static func braceBalance(_ line: String) -> Int {
        var balance = 0
        var quote: Character?
        var escaped = false
        for character in line {
            if escaped { escaped = false; continue }
            if character == "\\" { escaped = true; continue }
            if let open = quote {
                if character == open { quote = nil }
                continue
            }
            switch character {
            case "\"", "'": quote = character
            case "#": return balance
            case "{": balance += 1
            case "}": balance -= 1
            default: break
            }
        }
        return balance
    }

    func statements(_ section: Section) -> [Statement] { statements[section] ?? [] }

    var sections: [Section] { Array(headers.keys) }

    /// Writes a block's directives: each default unless the section replaces it (the replacement
    /// takes its place, which matters for order-sensitive ones such as a balancing method before
    /// `keepalive`), then the section's other directives.
    func merge(_ defaults: [Directive], _ section: Section, into text: inout ConfigText) {
        var pending = statements(section)
        for directive in defaults {
            let replacing = pending.filter { $0.key.map(directive.keys.contains) ?? false }
            if replacing.isEmpty {
                // An empty default is a slot: nothing unless the section fills it.
                if !directive.text.isEmpty { text.line(directive.text, directive.origin) }
            } else {
                for statement in replacing { write(statement, into: &text) }
                pending.removeAll { $0.key.map(directive.keys.contains) ?? false }
            }
        }
        for statement in pending { write(statement, into: &text) }
    }

    private func write(_ statement: Statement, into text: inout ConfigText) {
        for line in statement.lines {
            text.line(line.text, "lb_config.config line \(line.number) (section \(statement.section))", extraIndent: line.depth)
        }
    }
}
