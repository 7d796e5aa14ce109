import FoundationEssentials
import Glibc
import Testing
@testable import Core

/// The wall clock moved by `offset` seconds: an answer's window seen from later on.
struct ShiftedClock: WallClock {
    var offset: Double
    func now() -> Date { Date(timeIntervalSinceNow: offset) }
}

/// A scratch store in a directory of its own (created by the store itself, `resend/` below it).
struct ScratchResendStore {
    let scratch = ScratchDirectory("resend")
    var directory: String { "\(scratch.path)/resend" }

    func store(_ settings: ResendSettings = ResendSettings(), offset: Double = 0) -> FileResendStore {
        FileResendStore(directory: directory, settings: settings, clock: ShiftedClock(offset: offset))
    }

    /// The entries' file names (no marks, no temporary files).
    var entryNames: Set<String> { Set(FileBytes.names(inDirectory: directory).filter(FileResendStore.isEntryName)) }
}

/// A request for `/v1/chat/completions` from alice.
func resendRequest(_ headers: [String: String], body: String = #"{"model":"m","messages":[]}"#, connection: Int32? = nil) -> HTTPRequest {
    var request = HTTPRequest(method: "POST", path: "/v1/chat/completions", headers: headers, body: Array(body.utf8), connectionDescriptor: connection)
    request.caller = Caller(name: "alice")
    return request
}

func resendKey(_ headers: [String: String], body: String = #"{"model":"m","messages":[]}"#) throws -> ResendKey {
    try #require(try ResendKey.of(request: resendRequest(headers, body: body), caller: Caller(name: "alice")))
}

/// An answer with bytes that a text format could get wrong: NUL, blank lines, CR LF, non-UTF-8.
let awkwardAnswer = HTTPResponse(status: 200, headers: [("Content-Type", "application/json"), ("X-Odd", "a: b"), ("X-Empty", "")],
                                 body: Array("{\"a\":\"\n\n\r\n\"}".utf8) + [0, 0xff, 0x0a, 0x0a])
