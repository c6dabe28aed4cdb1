import Crypto
import Foundation
import PaddockAWS
import XCTest

/// The SigV4 signer against AWS's published examples (known answers).
final class SigV4Tests: XCTestCase {
    /// AWS documentation, "Examples of how to derive a signing key for Signature Version 4".
    func testSigningKeyDerivationMatchesAWSExample() {
        let signer = SigV4Signer(credentials: .init(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
                                 region: "us-east-1", service: "iam")
        let key = signer.signingKey(day: "20120215").withUnsafeBytes { Data($0) }
        XCTAssertEqual(key.map { String(format: "%02x", $0) }.joined(), "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d")
    }

    /// Amazon S3 API reference, "Signature calculations … Example: GET Object".
    func testGetObjectExampleMatchesCanonicalRequestStringToSignAndSignature() throws {
        let empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        let request = SigV4Signer.Request(method: "GET", host: "examplebucket.s3.amazonaws.com", path: "/test.txt", headers: [
            ("Host", "examplebucket.s3.amazonaws.com"), ("Range", "bytes=0-9"),
            ("x-amz-content-sha256", empty), ("x-amz-date", "20130524T000000Z"),
        ])
        let (canonical, signed) = SigV4Signer.canonicalRequest(request)
        XCTAssertEqual(canonical, """
            GET
            /test.txt

            host:examplebucket.s3.amazonaws.com
            range:bytes=0-9
            x-amz-content-sha256:\(empty)
            x-amz-date:20130524T000000Z

            host;range;x-amz-content-sha256;x-amz-date
            \(empty)
            """)
        XCTAssertEqual(signed, "host;range;x-amz-content-sha256;x-amz-date")
        let toSign = SigV4Signer.stringToSign(canonical: canonical, timestamp: "20130524T000000Z", scope: "20130524/us-east-1/s3/aws4_request")
        XCTAssertEqual(toSign, "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972")
        let signer = SigV4Signer(credentials: .init(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
                                 region: "us-east-1", service: "s3")
        let signature = HMAC<SHA256>.authenticationCode(for: Data(toSign.utf8), using: signer.signingKey(day: "20130524"))
        XCTAssertEqual(signature.map { String(format: "%02x", $0) }.joined(), "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        // sign() puts the same pieces together into the Authorization header.
        let headers = signer.sign(SigV4Signer.Request(method: "GET", host: "examplebucket.s3.amazonaws.com", path: "/test.txt",
                                                      headers: [("Range", "bytes=0-9"), ("x-amz-content-sha256", empty)]),
                                  at: Date(timeIntervalSince1970: 1_369_353_600))  // 2013-05-24T00:00:00Z
        let authorization = try XCTUnwrap(headers.first { $0.0 == "Authorization" }?.1)
        XCTAssertEqual(authorization, "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    func testQueryEncodingSortingAndSecretsStayOutOfDescriptions() {
        let (canonical, _) = SigV4Signer.canonicalRequest(.init(method: "GET", host: "h", query: [("b", "2 3"), ("a", "x/y"), ("a", "1")],
                                                                headers: [("Host", "h"), ("X-Odd", "  a   b  ")]))
        XCTAssertEqual(canonical.split(separator: "\n", omittingEmptySubsequences: false)[2], "a=1&a=x%2Fy&b=2%203")
        XCTAssertTrue(canonical.contains("x-odd:a b\n"))
        let credentials = SigV4Signer.Credentials(accessKeyID: "AKID", secretAccessKey: "very-secret")
        XCTAssertFalse("\(credentials)".contains("very-secret"))
    }
}
