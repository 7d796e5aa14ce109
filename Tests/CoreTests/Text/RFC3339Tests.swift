import FoundationEssentials
import Testing
@testable import Core

@Suite struct RFC3339Tests {
    @Test func formatsUTCSeconds() {
        #expect(RFC3339.format(secondsSinceEpoch: 0) == "1970-01-01T00:00:00Z")
        #expect(RFC3339.format(secondsSinceEpoch: 1_795_904_120) == "2026-11-28T22:15:20Z")
        #expect(RFC3339.format(Date(timeIntervalSince1970: 1_700_000_000.9)) == "2023-11-14T22:13:20Z")
    }
}
