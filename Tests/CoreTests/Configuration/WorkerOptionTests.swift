import Testing
@testable import Core

@Suite struct WorkerOptionTests {
    @Test func namesAndVariablesAreUniqueAndFollowOnePattern() {
        let options = WorkerOption.allCases
        #expect(Set(options.map(\.name)).count == options.count)
        #expect(WorkerOption.maxBudgetUSD.environmentVariable == "CLAUDE_FCGI_MAX_BUDGET_USD")
        #expect(WorkerOption.jobMaxAgeDays.environmentVariable == "CLAUDE_FCGI_JOB_MAX_AGE_DAYS")
    }

    @Test func everyDefaultPassesItsOwnCheck() {
        for option in WorkerOption.allCases {
            if let value = option.defaultValue { #expect(option.check.problem(with: value) == nil, "\(option)") }
        }
    }

    @Test func helpNamesTheVariableAndTheDefault() {
        #expect(WorkerOption.timeout.help.hasSuffix("(env: CLAUDE_FCGI_TIMEOUT; default: 900)"))
        #expect(WorkerOption.workdir.help.hasSuffix("(env: CLAUDE_FCGI_WORKDIR; default: the current directory)"))
    }

    @Test func theCommandLineWinsThenTheEnvironmentThenTheDefault() throws {
        let values = OptionValues(given: [.timeout: "30"], environment: ["CLAUDE_FCGI_TIMEOUT": "60", "CLAUDE_FCGI_KILL_GRACE": "2",
                                                                         "CLAUDE_FCGI_GIT_TIMEOUT": ""])
        #expect(try values.number(.timeout) == 30)
        #expect(try values.number(.killGrace) == 2)
        #expect(try values.number(.gitTimeout) == 60)
        #expect(try values.text(.workdir) == nil)
    }

    @Test(arguments: [
        (OptionCheck.positiveNumber, "0.5", true), (.positiveNumber, "0", false), (.positiveNumber, "inf", false),
        (.wholeNumber(1...120), "120", true), (.wholeNumber(1...120), "1.5", false), (.oneOf(["a", "b"]), "b", true),
        (.oneOf(["a", "b"]), "c", false), (.agentName, "recruiter-triage", true), (.agentName, "-x", false),
    ])
    func checks(check: OptionCheck, text: String, passes: Bool) {
        #expect((check.problem(with: text) == nil) == passes)
    }
}
