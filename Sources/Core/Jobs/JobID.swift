/// Job identifiers: `job_` + the creation time in milliseconds (13 digits) + `_` + 8 random letters or
/// digits, so that names sort by creation time and carry their age.
public enum JobID {
    public static func make(milliseconds: Int64, random: String) -> String {
        let digits = String(milliseconds)
        return "job_" + String(repeating: "0", count: max(0, 13 - digits.count)) + digits + "_" + String(random.prefix(8))
    }

    public static func isValid(_ id: String) -> Bool {
        let parts = id.split(separator: "_", omittingEmptySubsequences: false)
        return parts.count == 3 && parts[0] == "job" && parts[1].count == 13 && parts[1].allSatisfy(\.isASCII)
            && parts[1].allSatisfy(\.isNumber) && parts[2].count == 8
            && parts[2].unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) }
    }

    /// Milliseconds since the epoch at creation; `nil` for an invalid id.
    public static func milliseconds(of id: String) -> Int64? {
        guard isValid(id) else { return nil }
        return Int64(id.split(separator: "_")[1])
    }
}
