/// Numbers as people write them in messages.
enum NumberText {
    /// `900` for 900.0, `0.5` for 0.5.
    static func short(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
