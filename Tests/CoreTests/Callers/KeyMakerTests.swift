import Testing
@testable import Core

@Suite struct KeyMakerTests {
    @Test func base64URLMatchesRFC4648() {
        // RFC 4648 §10 vectors, padding left out; and the two characters that differ from base64.
        let vectors = ["": "", "f": "Zg", "fo": "Zm8", "foo": "Zm9v", "foob": "Zm9vYg", "fooba": "Zm9vYmE", "foobar": "Zm9vYmFy"]
        for (input, output) in vectors { #expect(KeyMaker.base64URL(Array(input.utf8)) == output) }
        #expect(KeyMaker.base64URL([0xFB, 0xFF]) == "-_8")
    }

    @Test func keysArePrefixedURLSafeAndNew() throws {
        let keys = try (0..<20).map { _ throws(SystemCallError) in try KeyMaker.make() }
        for key in keys {
            #expect(key.hasPrefix("cfk_"))
            #expect(key.utf8.count == 4 + 43)
            #expect(key.dropFirst(4).allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        }
        #expect(Set(keys).count == keys.count)
    }
}
