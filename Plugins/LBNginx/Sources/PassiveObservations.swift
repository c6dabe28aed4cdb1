import Glibc

/// What nginx itself logged about upstream servers: with passive health that is the only runtime
/// evidence there is. A server nginx "temporarily disabled" gets no traffic for fail_timeout.
struct PassiveObservation {
    /// When nginx last took the server out (epoch seconds), if it did.
    var disabledAt: Int?
    /// The last error nginx logged for the server, prefixed with nginx's (local) timestamp.
    var lastFailure: String?
}

enum PassiveObservations {
    /// Per upstream address ("127.0.0.1:9001"), from error.log lines such as
    /// `2026/01/02 03:04:05 [warn] 12#12: *3 upstream server temporarily disabled while connecting
    /// to upstream, client: …, upstream: "http://127.0.0.1:9001/", host: …`.
    static func read(_ log: String) -> [String: PassiveObservation] {
        var result: [String: PassiveObservation] = [:]
        for line in log.split(separator: "\n") {
            guard line.contains("upstream: \""), let time = timestamp(line), let message = message(line),
                  let address = upstreamAddress(line) else { continue }
            if message.hasPrefix("upstream server temporarily disabled") {
                result[address, default: PassiveObservation()].disabledAt = time
            } else if line.contains("[error]") {
                let reason = message.components(separatedBy: ", client:")[0]
                result[address, default: PassiveObservation()].lastFailure = "\(line.prefix(19)) \(reason)"
            }
        }
        return result
    }

    static func timestamp(_ line: Substring) -> Int? {
        let digits = line.prefix(19).split(whereSeparator: { $0 == "/" || $0 == " " || $0 == ":" }).compactMap { Int32($0) }
        guard digits.count == 6 else { return nil }
        var parts = tm()
        parts.tm_year = digits[0] - 1900
        parts.tm_mon = digits[1] - 1
        parts.tm_mday = digits[2]
        parts.tm_hour = digits[3]
        parts.tm_min = digits[4]
        parts.tm_sec = digits[5]
        parts.tm_isdst = -1  // nginx logs local time
        let seconds = mktime(&parts)
        return seconds < 0 ? nil : Int(seconds)
    }

    /// The text after "PID#TID: *CONNECTION ".
    static func message(_ line: Substring) -> String? {
        guard let marker = line.firstRange(of: ": ") else { return nil }
        var rest = line[marker.upperBound...]
        if rest.hasPrefix("*"), let space = rest.firstIndex(of: " ") { rest = rest[rest.index(after: space)...] }
        return String(rest)
    }

    static func upstreamAddress(_ line: Substring) -> String? {
        guard let start = line.firstRange(of: "upstream: \"") else { return nil }
        var value = line[start.upperBound...].prefix { $0 != "\"" }
        for scheme in ["http://", "https://"] where value.hasPrefix(scheme) { value = value.dropFirst(scheme.count) }
        if let slash = value.firstIndex(of: "/") { value = value[..<slash] }
        return value.contains(":") ? String(value) : nil
    }
}

extension StringProtocol {
    func components(separatedBy separator: String) -> [String] {
        var parts: [String] = []
        var rest = Substring(self)
        while let range = rest.firstRange(of: separator) {
            parts.append(String(rest[..<range.lowerBound]))
            rest = rest[range.upperBound...]
        }
        parts.append(String(rest))
        return parts
    }
}
