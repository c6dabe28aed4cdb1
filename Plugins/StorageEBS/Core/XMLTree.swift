import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// An XML document as a small tree: enough for EC2's answers (elements, text, no attributes used).
public final class XMLTree: @unchecked Sendable {
    public let name: String
    public internal(set) var text: String = ""
    public internal(set) var children: [XMLTree] = []

    init(name: String) { self.name = name }

    /// The first child element called `name`.
    public func child(_ name: String) -> XMLTree? { children.first { $0.name == name } }

    /// The text of the child `name`, nil when absent or empty.
    public func value(_ name: String) -> String? {
        guard let text = child(name)?.text.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return nil }
        return text
    }

    /// The `<item>` children of the child `name` (EC2's list encoding).
    public func items(_ name: String) -> [XMLTree] { child(name)?.children.filter { $0.name == "item" } ?? [] }

    /// Depth-first search for the first element called `name`.
    public func find(_ name: String) -> XMLTree? {
        if self.name == name { return self }
        for child in children { if let found = child.find(name) { return found } }
        return nil
    }

    public static func parse(_ data: [UInt8]) throws(EBSXMLError) -> XMLTree {
        let builder = Builder()
        let parser = XMLParser(data: Data(data))
        parser.delegate = builder
        guard parser.parse(), let root = builder.root else {
            let reason = parser.parserError.map { "\($0.localizedDescription)" } ?? "no root element"
            throw EBSXMLError(message: "the answer is not XML (\(reason)): \(String(decoding: data.prefix(200), as: UTF8.self))")
        }
        return root
    }

    private final class Builder: NSObject, XMLParserDelegate {
        var root: XMLTree?
        var stack: [XMLTree] = []

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
            let node = XMLTree(name: elementName)
            if let parent = stack.last { parent.children.append(node) } else { root = node }
            stack.append(node)
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            _ = stack.popLast()
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            stack.last?.text += string
        }
    }
}

public struct EBSXMLError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
