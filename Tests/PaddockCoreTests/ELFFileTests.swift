import PaddockCore
import XCTest

/// The ELF reader on hand-made headers: every malformed input is an error, never a crash.
final class ELFFileTests: XCTestCase {
    func testShortAndForeignInputsAreNamedPrecisely() {
        let cases: [([UInt8], String)] = [
            ([], "empty"),
            ([0x7F, 0x45, 0x4C], "too short"),
            (Array("#!/bin/sh\necho hello\n".utf8), "no \\x7fELF magic"),
            ([0x7F, 0x45, 0x4C, 0x46, 9, 1, 1, 0] + [UInt8](repeating: 0, count: 8), "unknown ELF class 9"),
            ([0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0] + [UInt8](repeating: 0, count: 20), "truncated ELF header"),
        ]
        for (bytes, expected) in cases {
            XCTAssertThrowsError(try ELFFile(bytes: bytes)) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(bytes.prefix(8)): \(error)")
            }
        }
    }

    func testSectionTableBeyondTheFileIsTruncated() {
        var header = [UInt8](repeating: 0, count: 64)
        header[0...3] = [0x7F, 0x45, 0x4C, 0x46]
        header[4] = 2; header[5] = 1; header[6] = 1
        header[16] = 3; header[18] = 62
        header[0x28] = 0x00; header[0x29] = 0x10  // e_shoff = 4096, past the end
        header[0x3A] = 64; header[0x3C] = 5; header[0x3E] = 4
        XCTAssertThrowsError(try ELFFile(bytes: header)) { error in
            XCTAssertTrue("\(error)".contains("truncated"), "\(error)")
        }
    }

    func testRandomBytesAfterAValidMagicNeverCrash() {
        var generator = SplitMix(seed: 42)
        for _ in 0..<2000 {
            var bytes = [UInt8](repeating: 0, count: Int(generator.next() % 512) + 16)
            for index in bytes.indices { bytes[index] = UInt8(truncatingIfNeeded: generator.next()) }
            bytes[0...3] = [0x7F, 0x45, 0x4C, 0x46]
            bytes[4] = UInt8(1 + generator.next() % 2)
            bytes[5] = UInt8(1 + generator.next() % 2)
            _ = try? ELFFile(bytes: bytes).exportedSymbols()
            _ = PluginFile.inspect(bytes: bytes)
        }
    }
}

struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
