import Testing
@testable import Core

@Suite struct SpareBackoffTests {
    @Test func earlyEndsDoubleTheDelayUpToAMinute() {
        var backoff = SpareBackoff()
        let delays = (0..<9).map { _ in backoff.ended(afterSeconds: 0.5) }
        #expect(delays == [1, 2, 4, 8, 16, 32, 60, 60, 60])
        #expect(backoff.failures == 9)
    }

    @Test func manyEarlyEndsStayAtTheCap() {
        var backoff = SpareBackoff()
        for _ in 0..<200 { _ = backoff.ended(afterSeconds: 0) }
        #expect(backoff.ended(afterSeconds: 0) == 60)
    }

    @Test func aSpareThatLivedThirtySecondsStartsTheNextAtOnceAndResetsTheDoubling() {
        var backoff = SpareBackoff()
        _ = backoff.ended(afterSeconds: 1)
        _ = backoff.ended(afterSeconds: 1)
        #expect(backoff.ended(afterSeconds: 29.9) == 4, "just under the healthy time is still an early end")
        #expect(backoff.ended(afterSeconds: 30) == 0)
        #expect(backoff.failures == 0)
        #expect(backoff.ended(afterSeconds: 2) == 1)
    }

    @Test func resetStartsTheNextEarlyEndFromTheFirstDelay() {
        var backoff = SpareBackoff()
        for _ in 0..<5 { _ = backoff.ended(afterSeconds: 0) }
        backoff.reset()
        #expect(backoff == SpareBackoff())
        #expect(backoff.ended(afterSeconds: 0) == 1)
    }
}
