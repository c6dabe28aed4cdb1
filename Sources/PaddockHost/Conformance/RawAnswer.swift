import PaddockCore

/// What the plugin answered, untouched: the host's normal path repairs missing or malformed error
/// documents, which is precisely what the kit must see.
struct RawAnswer: Sendable, Equatable {
    var status: Int32
    var bytes: [UInt8]

    /// For comparing answers: parsed JSON when it parses (key order is not significant).
    var comparable: ComparableAnswer {
        ComparableAnswer(status: status, body: try? JSONValue(parsing: bytes), bytes: bytes)
    }

    var summary: String {
        let text = String(decoding: bytes.prefix(160), as: UTF8.self)
        return "status \(status) (\(StatusCode.name(status))) \(text.isEmpty ? "with no body" : text)"
    }
}

struct ComparableAnswer: Equatable {
    var status: Int32
    var body: JSONValue?
    var bytes: [UInt8]

    static func == (a: ComparableAnswer, b: ComparableAnswer) -> Bool {
        guard a.status == b.status else { return false }
        if let left = a.body, let right = b.body { return left == right }
        return a.bytes == b.bytes
    }
}
