/// What an option's value must be; the message names the option and the value.
public enum OptionCheck: Sendable, Equatable {
    case anyText
    case positiveNumber
    case wholeNumber(ClosedRange<Int>)
    case oneOf([String])
    case agentName

    /// `nil` when the text passes, else what is wrong with it.
    public func problem(with text: String) -> String? {
        switch self {
        case .anyText:
            return nil
        case .positiveNumber:
            guard let value = Double(text), value > 0, value.isFinite else { return "must be a positive number" }
            return nil
        case .wholeNumber(let range):
            guard let value = Int(text), range.contains(value) else {
                return range.upperBound == Int.max ? "must be a positive whole number" : "must be a whole number from \(range.lowerBound) to \(range.upperBound)"
            }
            return nil
        case .oneOf(let choices):
            return choices.contains(text) ? nil : "must be one of \(choices.joined(separator: ", "))"
        case .agentName:
            return AgentMap.isValidName(text) ? nil : "may only hold letters, digits, '-', '_' and '.'"
        }
    }
}
