/// One file of a generated project: where it goes (relative to the project) and what it holds.
public struct ScaffoldFile: Sendable, Equatable {
    public var path: String
    public var contents: String

    public init(_ path: String, _ contents: String) {
        self.path = path
        self.contents = contents
    }
}

/// Fills `{{KEY}}` placeholders of a template.
enum TemplateText {
    static func fill(_ template: String, _ values: [String: String]) -> String {
        var text = template
        for (key, value) in values { text = text.replacingOccurrences(of: "{{\(key)}}", with: value) }
        return text
    }
}
