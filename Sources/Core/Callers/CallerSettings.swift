/// Where the callers' keys are and how their spend windows are counted.
public struct CallerSettings: Sendable, Equatable {
    /// The keys file (`--keys-file`); `nil`: the single token alone.
    public var keysFile: String?
    /// The IANA time zone of the daily and monthly spend windows (`--budget-time-zone`).
    public var timeZone: String
    /// Where the callers' spend is counted (`--spend-dir`, default `<state-dir>/spend`).
    public var spendDirectory: String

    public init(keysFile: String? = nil, timeZone: String = "UTC", spendDirectory: String) {
        self.keysFile = keysFile
        self.spendDirectory = spendDirectory
        self.timeZone = timeZone
    }
}
