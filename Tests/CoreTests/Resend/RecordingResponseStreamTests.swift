import Testing
@testable import Core

/// A client that takes `accepts` pieces and then cannot be written to.
final class FailingStream: ResponseStream {
    var accepts: Int
    var head: HTTPResponse?
    var body: [UInt8] = []

    init(accepts: Int) { self.accepts = accepts }

    func begin(_ head: HTTPResponse) -> Bool {
        self.head = head
        return true
    }

    func send(_ bytes: [UInt8]) -> Bool {
        guard accepts > 0 else { return false }
        accepts -= 1
        body += bytes
        return true
    }

    var hasBegun: Bool { head != nil }
}

@Suite struct RecordingResponseStreamTests {
    @Test func theRecordingGoesOnAfterTheClientCannotBeWrittenTo() {
        let live = FailingStream(accepts: 1)
        let recording = RecordingResponseStream(live: live)
        #expect(!recording.hasBegun)
        #expect(recording.recorded == nil)
        #expect(recording.begin(AnswerStream.head))
        #expect(live.head == AnswerStream.head)
        #expect(recording.send(Array("data: 1\n\n".utf8)))
        #expect(!recording.liveFailed)
        #expect(recording.send(Array("data: 2\n\n".utf8)), "still recording")
        #expect(recording.liveFailed)
        #expect(recording.send(Array("data: [DONE]\n\n".utf8)))
        #expect(live.body == Array("data: 1\n\n".utf8))
        #expect(live.accepts == 0)
        #expect(recording.recorded == HTTPResponse(status: 200, headers: AnswerStream.head.headers,
                                                   body: Array("data: 1\n\ndata: 2\n\ndata: [DONE]\n\n".utf8)))
    }

    @Test func aClientThatRefusesTheHeadGetsNothingMore() {
        final class Refusing: ResponseStream {
            var sends = 0
            func begin(_ head: HTTPResponse) -> Bool { false }
            func send(_ bytes: [UInt8]) -> Bool { sends += 1; return true }
            var hasBegun: Bool { true }
        }
        let live = Refusing()
        let recording = RecordingResponseStream(live: live)
        #expect(recording.begin(AnswerStream.head))
        #expect(recording.send([1]))
        #expect(live.sends == 0)
        #expect(recording.recorded?.body == [1])
    }
}
