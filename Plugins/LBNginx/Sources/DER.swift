/// Just enough DER to read the DNS names of an X.509 certificate: its subject's CN and the
/// subjectAltName dNSName entries (RFC 5280 §4.1, §4.2.1.6).
struct DERElement {
    var tag: UInt8
    var content: ArraySlice<UInt8>

    /// The elements inside a constructed element (SEQUENCE, SET, [n] EXPLICIT).
    var children: [DERElement]? {
        var reader = DERReader(content)
        var items: [DERElement] = []
        while !reader.isAtEnd {
            guard let item = reader.next() else { return nil }
            items.append(item)
        }
        return items
    }
}

struct DERReader {
    private var bytes: ArraySlice<UInt8>

    init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes }

    var isAtEnd: Bool { bytes.isEmpty }

    mutating func next() -> DERElement? {
        guard bytes.count >= 2 else { return nil }
        let tag = bytes[bytes.startIndex]
        var index = bytes.startIndex + 1
        let first = bytes[index]
        index += 1
        var length = 0
        if first < 0x80 {
            length = Int(first)
        } else {
            let count = Int(first & 0x7f)
            guard (1...4).contains(count), bytes.endIndex - index >= count else { return nil }
            for _ in 0..<count {
                length = length << 8 | Int(bytes[index])
                index += 1
            }
        }
        guard bytes.endIndex - index >= length else { return nil }
        let content = bytes[index..<index + length]
        bytes = bytes[(index + length)...]
        return DERElement(tag: tag, content: content)
    }
}

enum X509Names {
    static let commonName: [UInt8] = [0x55, 0x04, 0x03]
    static let subjectAltName: [UInt8] = [0x55, 0x1D, 0x11]

    /// The certificate's DNS names (subjectAltName first, CN when there is none), or nil when the
    /// bytes are not a DER certificate.
    static func dnsNames(_ der: [UInt8]) -> [String]? {
        var reader = DERReader(der[...])
        guard let certificate = reader.next(), certificate.tag == 0x30,
              let tbs = certificate.children?.first, tbs.tag == 0x30, var fields = tbs.children else { return nil }
        if fields.first?.tag == 0xA0 { fields.removeFirst() }  // [0] version
        // serial, signature, issuer, validity, subject, subjectPublicKeyInfo
        guard fields.count >= 6, fields[0].tag == 0x02, fields[5].tag == 0x30 else { return nil }
        let subject = fields[4]
        var altNames: [String] = []
        if let extensions = fields.dropFirst(6).first(where: { $0.tag == 0xA3 })?.children?.first?.children {
            for item in extensions {
                guard let parts = item.children, parts.first?.tag == 0x06, Array(parts[0].content) == subjectAltName,
                      let value = parts.last, value.tag == 0x04 else { continue }
                var inner = DERReader(value.content)
                for name in inner.next()?.children ?? [] where name.tag == 0x82 {
                    altNames.append(String(decoding: name.content, as: UTF8.self).lowercased())
                }
            }
        }
        if !altNames.isEmpty { return altNames }
        var names: [String] = []
        for set in subject.children ?? [] {
            for attribute in set.children ?? [] {
                guard let parts = attribute.children, parts.count == 2, parts[0].tag == 0x06,
                      Array(parts[0].content) == commonName else { continue }
                names.append(String(decoding: parts[1].content, as: UTF8.self).lowercased())
            }
        }
        return names
    }
}
