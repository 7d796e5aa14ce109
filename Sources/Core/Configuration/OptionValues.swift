/// The options' values: from the command line, else the environment, else the default, each checked
/// as its ``WorkerOption/check`` says.
public struct OptionValues: Sendable {
    /// Values given on the command line.
    public var given: [WorkerOption: String]
    public var environment: [String: String]

    public init(given: [WorkerOption: String] = [:], environment: [String: String]) {
        self.given = given
        self.environment = environment
    }

    /// The value's text, checked; `nil` when the option has no value and no default. An empty value
    /// counts as not given.
    public func text(_ option: WorkerOption) throws(ConfigurationError) -> String? {
        let text = [given[option], environment[option.environmentVariable]].compactMap { $0 }.first { !$0.isEmpty }
            ?? option.defaultValue
        guard let text else { return nil }
        if let problem = option.check.problem(with: text) {
            throw ConfigurationError("--\(option.name) '\(OneLine.clean(text, limit: 100))' \(problem)")
        }
        return text
    }

    /// A number option's value (its check makes it one).
    public func number(_ option: WorkerOption) throws(ConfigurationError) -> Double {
        guard let text = try text(option), let value = Double(text) else {
            throw ConfigurationError("--\(option.name) needs a number")
        }
        return value
    }

    /// A whole-number option's value (its check makes it one).
    public func wholeNumber(_ option: WorkerOption) throws(ConfigurationError) -> Int {
        guard let text = try text(option), let value = Int(text) else {
            throw ConfigurationError("--\(option.name) needs a whole number")
        }
        return value
    }
}
