import Testing
@testable import Core

@Suite struct HTTPRequestCGITests {
    @Test func fastCGIEntriesBecomeTheSameRequestAsParams() {
        let texts = [
            "REQUEST_METHOD=POST", "DOCUMENT_URI=/v1/chat/completions", "REQUEST_URI=/v1/chat/completions?x=1",
            "QUERY_STRING=x=1", "HTTP_AUTHORIZATION=Bearer tok=", "CONTENT_TYPE=application/json", "CONTENT_LENGTH=2",
            "HTTP_X_STAINLESS_RETRY_COUNT=0", "SERVER_NAME=_", "NO_EQUALS_SIGN", "CONTENT_TYPE_X=ignored",
        ]
        let buffers = texts.map { text -> [UInt8] in Array(text.utf8) }
        let request = buffers.withUnsafeBufferPointers { HTTPRequest(cgiEntries: $0, body: Array("{}".utf8)) }
        #expect(request.method == "POST")
        #expect(request.path == "/v1/chat/completions")
        #expect(request.query == "x=1")
        #expect(request.headers.dictionary == ["authorization": "Bearer tok=", "content-type": "application/json", "content-length": "2",
                                    "x-stainless-retry-count": "0"])
    }

    @Test func headersAreFoundByAnyCaseAndTheLastOfANameWins() {
        let buffers = ["HTTP_AUTHORIZATION=Bearer a", "HTTP_X_Y=1", "HTTP_X_Y=2", "CONTENT_TYPE=", "HTTP_EMPTY="].map { Array($0.utf8) }
        let request = buffers.withUnsafeBufferPointers { HTTPRequest(cgiEntries: $0, body: []) }
        #expect(request.header("Authorization") == "Bearer a")
        #expect(request.header("AUTHORIZATION") == "Bearer a")
        #expect(request.header("authorizatio") == nil)
        #expect(request.header("x-y") == "2")
        #expect(request.header("content-type") == nil, "an empty CONTENT_TYPE is no header")
        #expect(request.header("empty") == "")
        #expect(HTTPRequest(method: "GET", path: "/", headers: ["Content-Type": "x"]).header("content-TYPE") == "x")
    }

    @Test func aBusyStatusComesFromNginxsParamOnlyAndOnlyAsAnErrorStatus() {
        func busyStatus(_ texts: [String]) -> Int? {
            texts.map { Array($0.utf8) }.withUnsafeBufferPointers { HTTPRequest(cgiEntries: $0, body: []) }.busyStatus
        }
        #expect(busyStatus(["BUSY_STATUS=429"]) == 429)
        #expect(busyStatus([]) == nil)
        #expect(busyStatus(["HTTP_BUSY_STATUS=429"]) == nil, "a client's Busy-Status header is a header, not the param")
        #expect(busyStatus(["BUSY_STATUS=200"]) == nil)
        #expect(busyStatus(["BUSY_STATUS=x"]) == nil)
    }

    @Test func withoutDocumentURITheRequestURIPathIsUsed() {
        let buffers = ["REQUEST_URI=/healthz?probe=1"].map { Array($0.utf8) }
        let request = buffers.withUnsafeBufferPointers { HTTPRequest(cgiEntries: $0, body: []) }
        #expect(request.path == "/healthz")
        #expect(request.method == "GET")
    }
}

extension Array where Element == [UInt8] {
    func withUnsafeBufferPointers<R>(_ body: ([UnsafeBufferPointer<UInt8>]) -> R) -> R {
        var pointers: [UnsafeBufferPointer<UInt8>] = []
        func recurse(_ index: Int) -> R {
            if index == count { return body(pointers) }
            return self[index].withUnsafeBufferPointer { buffer in
                pointers.append(buffer)
                return recurse(index + 1)
            }
        }
        return recurse(0)
    }
}
