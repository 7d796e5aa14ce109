import Testing
@testable import Core

/// Base64 of the first bytes of each accepted image type, and of things that are not images.
enum ImageFixtures {
    /// PNG signature + IHDR length and type (16 bytes).
    static let png = "iVBORw0KGgoAAAANSUhEUg=="
    /// JPEG SOI + APP0 "JFIF" (12 bytes).
    static let jpeg = "/9j/4AAQSkZJRgAB"
    /// "GIF89a" + 6 bytes.
    static let gif = "R0lGODlhAQABAAAA"
    /// "GIF87a" + 6 bytes.
    static let gif87 = "R0lGODdhAQABAAAA"
    /// "RIFF" size "WEBP" "VP8 " (16 bytes).
    static let webp = "UklGRiQAAABXRUJQVlA4IA=="
    /// "RIFF" size "WAVE" "fmt ": RIFF, but not WebP.
    static let wave = "UklGRiQAAABXQVZFZm10IA=="
    /// "hello world!"
    static let text = "aGVsbG8gd29ybGQh"
}

@Suite struct Base64ScanTests {
    @Test func countsTheDecodedBytesAndReadsTheHead() throws {
        let png = try #require(Base64Scan(ImageFixtures.png))
        #expect(png.decodedCount == 16)
        #expect(png.head == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D])
        #expect(Base64Scan(ImageFixtures.text) == Base64Scan(ImageFixtures.text, headBytes: 12))
        #expect(Base64Scan(ImageFixtures.text)?.head == Array("hello world!".utf8))
        #expect(Base64Scan(ImageFixtures.text, headBytes: 3)?.head == Array("hel".utf8))
        #expect(Base64Scan(ImageFixtures.text, headBytes: 0)?.head == [])
    }

    @Test(arguments: [("AAAA", 3), ("AAA=", 2), ("AA==", 1), ("QUJDREVG", 6), ("+/+/", 3), ("iVBORw0KGgoAAA==", 10)])
    func paddingIsCounted(text: String, count: Int) {
        #expect(Base64Scan(text)?.decodedCount == count)
    }

    @Test func aHeadShorterThanAskedIsWhatThereIs() {
        #expect(Base64Scan("QUI=")?.head == Array("AB".utf8))
        #expect(Base64Scan("QQ==")?.head == Array("A".utf8))
    }

    @Test(arguments: ["", "A", "AA", "AAA", "AAAAA", "A===", "=AAA", "A=AA", "AA=A", "====", "AA A", "AA\nA", "-_AA", "AAA.", "ÄAAA",
                      "QUJD\n", "QUJDREVG====", "QUJD REVG"])
    func whatIsNotBase64IsNil(text: String) {
        #expect(Base64Scan(text) == nil)
    }
}

@Suite struct ImageMediaTypeTests {
    static func bytes(_ base64: String) -> [UInt8] { Base64Scan(base64)?.head ?? [] }

    @Test(arguments: [
        (ImageFixtures.png, "image/png"), (ImageFixtures.jpeg, "image/jpeg"), (ImageFixtures.gif, "image/gif"),
        (ImageFixtures.gif87, "image/gif"), (ImageFixtures.webp, "image/webp"),
    ])
    func eachTypeIsToldByItsBytes(base64: String, type: String) {
        #expect(ImageMediaType.sniff(Self.bytes(base64)) == type)
    }

    @Test func otherBytesAndTooFewBytesAreNoType() {
        #expect(ImageMediaType.sniff(Self.bytes(ImageFixtures.wave)) == nil)
        #expect(ImageMediaType.sniff(Self.bytes(ImageFixtures.text)) == nil)
        #expect(ImageMediaType.sniff([]) == nil)
        #expect(ImageMediaType.sniff([0xFF, 0xD8]) == nil)
        #expect(ImageMediaType.sniff([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A]) == nil)
        #expect(ImageMediaType.sniff(Array("GIF88a".utf8)) == nil)
        // RIFF with WEBP cut off.
        #expect(ImageMediaType.sniff(Array("RIFF\0\0\0\0WEB".utf8)) == nil)
        #expect(ImageMediaType.sniff([0xFF, 0xD8, 0xFF]) == "image/jpeg")
    }

    @Test(arguments: [("image/png", "image/png"), ("IMAGE/PNG", "image/png"), (" image/jpg ", "image/jpeg"), ("image/JPG", "image/jpeg"),
                      ("image/jpeg", "image/jpeg"), ("image/webp", "image/webp"), ("text/plain", "text/plain"), ("", "")])
    func aDeclaredTypeIsNormalized(declared: String, normalized: String) {
        #expect(ImageMediaType.normalized(declared) == normalized)
    }

    @Test func theSniffReadsNoMoreThanItNeeds() {
        #expect(ImageMediaType.sniffedBytes == 12)
    }
}

@Suite struct ImagePartFromURLTests {
    @Test func anHTTPSURLIsAURLSource() throws {
        #expect(try ImagePart.fromURL("https://example.com/a.png", at: "p") == ImagePart(.url("https://example.com/a.png"), at: "p"))
    }

    @Test func otherURLsAreLeftForTheRules() throws {
        #expect(try ImagePart.fromURL("http://example.com/a.png", at: "p") == ImagePart(.url("http://example.com/a.png"), at: "p"))
        #expect(try ImagePart.fromURL("file:///etc/passwd", at: "p") == ImagePart(.url("file:///etc/passwd"), at: "p"))
    }

    @Test func aBase64DataURLIsItsTypeAndData() throws {
        #expect(try ImagePart.fromURL("data:image/png;base64,\(ImageFixtures.png)", at: "messages[0].content[1]")
            == ImagePart(.base64(mediaType: "image/png", data: ImageFixtures.png), at: "messages[0].content[1]"))
        // The scheme and the encoding are case-insensitive; the type is kept as sent (the rules normalize it).
        #expect(try ImagePart.fromURL("DATA:image/JPEG;BASE64,abcd", at: "p") == ImagePart(.base64(mediaType: "image/JPEG", data: "abcd"), at: "p"))
        // A comma in the data stays in the data (the rules refuse it as not base64).
        #expect(try ImagePart.fromURL("data:image/png;base64,ab,cd", at: "p") == ImagePart(.base64(mediaType: "image/png", data: "ab,cd"), at: "p"))
        #expect(try ImagePart.fromURL("data:;base64,", at: "p") == ImagePart(.base64(mediaType: "", data: ""), at: "p"))
    }

    @Test(arguments: ["data:image/png,abc", "data:image/png;base64", "data:", "data:image/png;utf8,abc", "data:,abc"])
    func aDataURLThatIsNotBase64IsRefusedNamingThePart(url: String) {
        #expect(throws: APIError.invalidRequest("input[2].content[0] must be a base64 data URL (data:image/png;base64,…) or an https URL")) {
            try ImagePart.fromURL(url, at: "input[2].content[0]")
        }
    }
}

@Suite struct ImageRulesTests {
    let rules = ImageRules()

    func refusal(_ source: ImageSource, rules: ImageRules = ImageRules()) -> APIError? {
        do {
            _ = try rules.check(ImagePart(source, at: "messages[0].content[1]"))
            return nil
        } catch {
            return error
        }
    }

    @Test func theDefaultsAreTheAPIs() {
        #expect(ImageRules.defaultMaxBytes == 5_242_880)
        #expect(ImageRules.defaultMaxCount == 20)
        #expect(rules == ImageRules(maxBytes: 5_242_880, maxCount: 20))
    }

    @Test(arguments: [
        (ImageFixtures.png, "image/png", "image/png"), (ImageFixtures.jpeg, "image/jpeg", "image/jpeg"),
        (ImageFixtures.jpeg, "image/jpg", "image/jpeg"), (ImageFixtures.jpeg, " Image/JPEG", "image/jpeg"),
        (ImageFixtures.gif, "image/gif", "image/gif"), (ImageFixtures.webp, "image/webp", "image/webp"),
    ])
    func anImageOfTheDeclaredTypeIsPassedOnWithTheTypeOfItsBytes(data: String, declared: String, type: String) throws {
        #expect(try rules.check(ImagePart(.base64(mediaType: declared, data: data), at: "p")) == .base64(mediaType: type, data: data))
    }

    @Test func aDeclaredTypeTheBytesDoNotHaveIsRefused() {
        #expect(refusal(.base64(mediaType: "image/jpeg", data: ImageFixtures.png))
            == .invalidRequest("messages[0].content[1] declares media type 'image/jpeg' but its bytes are image/png"))
        #expect(refusal(.base64(mediaType: "", data: ImageFixtures.gif))
            == .invalidRequest("messages[0].content[1] declares media type '' but its bytes are image/gif"))
        #expect(refusal(.base64(mediaType: "application/pdf", data: ImageFixtures.webp))
            == .invalidRequest("messages[0].content[1] declares media type 'application/pdf' but its bytes are image/webp"))
    }

    @Test func bytesOfNoAcceptedTypeAreRefusedWhateverTheDeclaredType() {
        for data in [ImageFixtures.text, ImageFixtures.wave] {
            #expect(refusal(.base64(mediaType: "image/png", data: data))
                == .invalidRequest("messages[0].content[1] is not a JPEG, PNG, GIF or WebP image"))
        }
    }

    @Test(arguments: ["", "not base64!", "iVBORw0KGgo", "iVBORw0K\nGgoAAAANSUhEUg==", "iVBORw0KGgoAAAANSUhEUg"])
    func dataThatIsNotBase64IsRefused(data: String) {
        #expect(refusal(.base64(mediaType: "image/png", data: data)) == .invalidRequest("messages[0].content[1] holds image data that is not base64"))
    }

    @Test func theSizeIsTheDecodedBytesUpToTheLimit() throws {
        #expect(try ImageRules(maxBytes: 16).check(ImagePart(.base64(mediaType: "image/png", data: ImageFixtures.png), at: "p"))
            == .base64(mediaType: "image/png", data: ImageFixtures.png))
        #expect(refusal(.base64(mediaType: "image/png", data: ImageFixtures.png), rules: ImageRules(maxBytes: 15))
            == .invalidRequest("messages[0].content[1] is an image of 16 bytes; the most one image may be is 15 bytes"))
        // The size is checked before the type: a large file of another kind is refused for its size.
        #expect(refusal(.base64(mediaType: "image/png", data: ImageFixtures.text), rules: ImageRules(maxBytes: 11))
            == .invalidRequest("messages[0].content[1] is an image of 12 bytes; the most one image may be is 11 bytes"))
    }

    @Test(arguments: ["https://example.com/a.png", "HTTPS://EXAMPLE.COM/A.PNG", "https://x"])
    func anHTTPSURLIsPassedOnAsItIs(url: String) throws {
        #expect(try rules.check(ImagePart(.url(url), at: "p")) == .url(url))
    }

    @Test(arguments: ["http://example.com/a.png", "https://", "ftp://example.com/a.png", "file:///etc/passwd", "//example.com/a.png",
                      "https://example.com/a b.png", "https://example.com/a.png\n", " https://example.com/a.png", "javascript:alert(1)", ""])
    func otherURLsAreRefused(url: String) {
        #expect(refusal(.url(url)) == .invalidRequest("messages[0].content[1] must be an https URL or base64 image data; other URLs are not accepted"))
    }

    @Test(arguments: ["https\u{1A}//example.com/a.png", "https:\u{0F}\u{0F}example.com/a.png", "https\u{1A}\u{0F}\u{0F}example.com/a.png",
                      "https://example.com/a\u{7F}.png", "https://example.com/\u{85}a.png"])
    func aSchemeWithControlCharactersIsNoHTTPS(url: String) {
        #expect(refusal(.url(url)) == .invalidRequest("messages[0].content[1] must be an https URL or base64 image data; other URLs are not accepted"))
    }

    @Test func theCountIsCheckedFirstThenEachImageInOrder() throws {
        let good = ImagePart(.url("https://x/1.png"), at: "messages[0].content[0]")
        let bad = ImagePart(.url("http://x/2.png"), at: "messages[2].content[1]")
        let worse = ImagePart(.base64(mediaType: "image/png", data: "!"), at: "messages[3].content[0]")
        #expect(try ImageRules(maxCount: 2).check([good, good], field: "messages") == [.url("https://x/1.png"), .url("https://x/1.png")])
        #expect(try rules.check([], field: "messages") == [])
        #expect(throws: APIError.invalidRequest("messages holds 3 images; at most 2 are accepted in one request")) {
            try ImageRules(maxCount: 2).check([good, bad, bad], field: "messages")
        }
        #expect(throws: APIError.invalidRequest("input holds 1 image; at most 0 are accepted in one request")) {
            try ImageRules(maxCount: 0).check([good], field: "input")
        }
        #expect(throws: APIError.invalidRequest("messages[2].content[1] must be an https URL or base64 image data; other URLs are not accepted")) {
            try rules.check([good, bad, worse], field: "messages")
        }
    }

    @Test func aDeclaredTypeIsQuotedCleanAndShort() {
        let long = String(repeating: "x", count: 200)
        guard case .invalidRequest(let message)? = refusal(.base64(mediaType: "image/\n" + long, data: ImageFixtures.png)) else {
            Issue.record("not refused")
            return
        }
        #expect(!message.contains("\n"))
        #expect(message.utf8.count < 200)
        #expect(message.hasSuffix("' but its bytes are image/png"))
    }
}

@Suite struct ContentListTests {
    func parts(_ json: String) throws(APIError) -> [Turn.Part] {
        try ContentList.parts(JSONValue.parse(Array(json.utf8)), at: "messages[1].content", otherwise: "messages[1].content is wrong") {
            type, fields, place throws(APIError) in
            switch type {
            case "text": return .text(try ContentList.string(fields, "text", at: place))
            case "image": return .image(ImagePart(.url(try ContentList.string(fields, "url", at: place)), at: place))
            case "skip": return nil
            default: throw .invalidRequest("\(place) has type \(type)")
            }
        }
    }

    @Test func aStringIsOneText() throws {
        #expect(try parts(#""hi""#) == [.text("hi")])
    }

    @Test func adjacentTextsJoinAndImagesStayWhereTheyWere() throws {
        #expect(try parts(#"[{"type":"text","text":"a"},{"type":"skip"},{"type":"text","text":"b"},{"type":"image","url":"u"},{"type":"text","text":"c"}]"#)
            == [.text("a\nb"), .image(ImagePart(.url("u"), at: "messages[1].content[3]")), .text("c")])
        #expect(try parts(#"[{"type":"image","url":"u"},{"type":"image","url":"v"}]"#)
            == [.image(ImagePart(.url("u"), at: "messages[1].content[0]")), .image(ImagePart(.url("v"), at: "messages[1].content[1]"))])
    }

    @Test func anEmptyListOrOneOfSkippedPartsIsAnEmptyText() throws {
        #expect(try parts("[]") == [.text("")])
        #expect(try parts(#"[{"type":"skip"}]"#) == [.text("")])
    }

    @Test(arguments: [
        ("7", "messages[1].content is wrong"), ("null", "messages[1].content is wrong"), (#"{"type":"text"}"#, "messages[1].content is wrong"),
        (#"["x"]"#, "messages[1].content[0] must be an object, not string"),
        (#"[{"type":"text","text":"a"},{}]"#, "messages[1].content[1].type must be a string"),
        (#"[{"type":7}]"#, "messages[1].content[0].type must be a string"),
        (#"[{"type":"text","text":5}]"#, "messages[1].content[0].text must be a string"),
        (#"[{"type":"video"}]"#, "messages[1].content[0] has type video"),
    ])
    func badContentIsRefusedNamingThePart(json: String, message: String) {
        #expect(throws: APIError.invalidRequest(message)) { try parts(json) }
    }

    @Test func anImageWhereNoneIsTakenIsRefusedInOneWayEverywhere() {
        #expect(ContentList.imageRefused(at: "messages[0].content[2]")
            == .invalidRequest("messages[0].content[2] is an image; only a user's message or a function's result may hold images"))
    }
}

@Suite struct ImageInputCostTests {
    @Test func manyTextPartsJoinInOnePass() throws {
        // 100,000 parts: a copy of the text so far per part would take minutes.
        let parts = try ContentList.parts(.array(Array(repeating: .object(["type": .string("text"), "text": .string("x")]), count: 100_000)),
                                          at: "content", otherwise: "") { _, fields, place throws(APIError) in
            .text(try ContentList.string(fields, "text", at: place))
        }
        #expect(parts == [.text(Array(repeating: "x", count: 100_000).joined(separator: "\n"))])
    }

    @Test func anImageURLHasALengthLimit() {
        let long = "https://example.com/" + String(repeating: "a", count: ImageRules.maxURLBytes)
        #expect(throws: APIError.invalidRequest("p is a URL of \(long.utf8.count) bytes; the most an image URL may be is 8192 bytes")) {
            try ImageRules().check(ImagePart(.url(long), at: "p"))
        }
    }

    @Test func aDataURLsHeadIsShort() throws {
        #expect(throws: APIError.invalidRequest("p must be a base64 data URL (data:image/png;base64,…) or an https URL")) {
            try ImagePart.fromURL("data:" + String(repeating: "A", count: 1_000) + ";base64,AAAA", at: "p")
        }
        #expect(try ImagePart.fromURL("DATA:image/PNG;BASE64,iVBO", at: "p") == ImagePart(.base64(mediaType: "image/PNG", data: "iVBO"), at: "p"))
    }
}
