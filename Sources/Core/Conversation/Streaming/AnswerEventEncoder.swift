/// What a dialect's stream says, as bytes of server-sent events: ``AnswerStream`` decides when each
/// is written. An encoder may keep state (a sequence number, which items it has opened).
protocol AnswerEventEncoder: AnyObject {
    /// The events that open the stream, once the run has begun.
    func opening() -> [UInt8]
    /// A piece of the answer's text as it is written (whole UTF-8 characters).
    func text(_ piece: [UInt8]) -> [UInt8]
    /// The end of a stream whose run succeeded. `textSent`: the answer's text went out as it came
    /// (otherwise all of it is in `answer.content`, still to be sent).
    func closing(_ answer: RunAnswer, textSent: Bool) -> [UInt8]
    /// The event that ends a stream whose run failed after it began.
    func failure(_ error: APIError) -> [UInt8]
}
