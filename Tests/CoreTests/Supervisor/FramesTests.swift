import Testing
@testable import Core

@Suite struct FramesTests {
    func feed(_ reader: inout Frames.Reader, _ bytes: [UInt8], chunk: Int) {
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + chunk)
            bytes[offset..<end].withUnsafeBytes { reader.feed($0) }
            offset = end
        }
    }

    func frames(_ reader: inout Frames.Reader) -> [Result<[UInt8], Frames.FrameTooLong>] {
        var found: [Result<[UInt8], Frames.FrameTooLong>] = []
        while let next = reader.next() { found.append(next.map { Array($0.payload) }) }
        return found
    }

    @Test(arguments: [1, 2, 7, 100])
    func aFrameOverTheLimitIsReportedOnceAndTheNextIsReadInStep(chunk: Int) {
        var reader = Frames.Reader(limit: 8)
        let bytes = Frames.encode(kind: 1, payload: Array(0..<20)) + Frames.encode(kind: 2, payload: [7, 7, 7])
        var found: [Result<[UInt8], Frames.FrameTooLong>] = []
        var offset = 0
        while offset < bytes.count {
            feed(&reader, Array(bytes[offset..<min(bytes.count, offset + chunk)]), chunk: chunk)
            found += frames(&reader)
            offset += chunk
        }
        #expect(found == [.failure(Frames.FrameTooLong(length: 20, limit: 8)), .success([7, 7, 7])])
        #expect(!reader.hasPartialFrame)
    }

    @Test func aFrameOverTheLimitIsReportedFromItsHeaderAlone() {
        var reader = Frames.Reader()
        feed(&reader, [1, 0xff, 0xff, 0xff, 0xff], chunk: 5)
        #expect(frames(&reader) == [.failure(Frames.FrameTooLong(length: 0xffff_ffff, limit: Frames.maxPayload))])
        #expect(reader.hasPartialFrame, "the rest of the refused frame is still to come")
    }

    @Test func aFrameAtTheLimitIsRead() {
        var reader = Frames.Reader(limit: 8)
        feed(&reader, Frames.encode(kind: 3, payload: Array(repeating: 1, count: 8)), chunk: 3)
        #expect(frames(&reader) == [.success(Array(repeating: 1, count: 8))])
    }

    @Test func fieldsReadInOrderAndRefuseAShortPayload() {
        var payload: [UInt8] = []
        Frames.appendField(Array("name".utf8), to: &payload)
        payload.append(1)
        Frames.appendInteger((2.5).bitPattern, to: &payload)
        var fields = Frames.Fields(payload[...])
        #expect(fields.text() == "name")
        #expect(fields.flag() == true)
        #expect(fields.double() == 2.5)
        #expect(fields.isAtEnd)
        #expect(fields.byte() == nil)

        var short = Frames.Fields(payload.dropLast(1))
        _ = short.text()
        _ = short.flag()
        #expect(short.double() == nil)
        var lying = Frames.Fields([9, 0, 0, 0, 1, 2][...])
        #expect(lying.bytes() == nil)
    }
}
