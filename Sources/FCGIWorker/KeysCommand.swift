import ArgumentParser
import Core
import Glibc

/// `claude-fcgi keys add|remove|list`: the callers' keys in the keys file. A key is shown once, when
/// it is made; the file keeps its SHA-256 only. Workers pick a change up at their next keyed request.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Add, remove and list the callers' keys in the keys file.",
        discussion: "The file is --keys-file, else \(WorkerOption.keysFile.environmentVariable). Running workers re-read it on change.",
        subcommands: [Add.self, Remove.self, List.self]
    )

    /// Where the keys file is: `--keys-file`, one option for the worker and for `keys`. The worker
    /// declares it through this group too, so that the value given after `keys add` (which the parser
    /// hands to the first command declaring the name) reaches the subcommand.
    struct Location: ParsableArguments {
        @Option(name: .customLong(WorkerOption.keysFile.name), help: ArgumentHelp(WorkerOption.keysFile.help)) var keysFile: String?

        func path() throws -> String {
            // As the worker reads it: the option, else its variable.
            let values = OptionValues(given: keysFile.map { [.keysFile: $0] } ?? [:], environment: ProcessEnvironment.current())
            guard let path = try values.text(.keysFile) else {
                throw KeysCommand.failure("no keys file: give --\(WorkerOption.keysFile.name) or set \(WorkerOption.keysFile.environmentVariable)")
            }
            return path
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a caller with a new key; the key is printed once, as the last line.")

        @OptionGroup var location: Location
        @Argument(help: "The caller's name: letters, digits, '.', '_' and '-', at most 40.") var name: String
        @Option(name: .customLong("daily-usd"), help: "Most USD per calendar day (none: no cap).") var dailyUSD: Double?
        @Option(name: .customLong("monthly-usd"), help: "Most USD per calendar month (none: no cap).") var monthlyUSD: Double?
        @Option(name: .customLong("runs-per-minute"), help: "Most runs started in any 60 seconds (none: no limit).") var runsPerMinute: Int?
        @Option(help: "The models or agents it may use, comma-separated (none: every one).") var models: String?
        @Flag(name: .customLong("no-execute"), help: "Refuse it /execute.") var noExecute = false
        @Flag(help: "Let it see and cancel every caller's jobs and responses.") var admin = false

        func run() throws {
            let path = try location.path()
            if let problem = KeysFile.nameProblem(name) { throw KeysCommand.failure("name \(name): \(problem)") }
            let limits = CallerLimits(
                dailyUSD: dailyUSD, monthlyUSD: monthlyUSD, runsPerMinute: runsPerMinute,
                models: models.map { $0.split(separator: ",").map { String($0.filter { !$0.isWhitespace }) }.filter { !$0.isEmpty } },
                mayExecute: !noExecute, isAdmin: admin)
            let key: String
            do throws(SystemCallError) {
                key = try KeyMaker.make()
            } catch {
                throw KeysCommand.failure(error.description)
            }
            let entry = KeysFile.Entry(name: name, keySHA256: SHA256.hex(key.utf8), limits: limits,
                                       created: RFC3339.format(secondsSinceEpoch: time(nil)))
            try KeysCommand.update(path) { (file: inout KeysFile) throws(KeysFileError) in
                guard file.entry(named: entry.name) == nil else {
                    throw KeysFileError("caller \(entry.name) is in \(path) already; remove it first to give it a new key")
                }
                file.callers.append(entry)
            }
            print("added caller \(name) to \(path): \(KeysCommand.describe(limits))")
            print("its key, shown this once (the file keeps only its SHA-256):")
            print(key)
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a caller: its key stops working at once.")

        @OptionGroup var location: Location
        @Argument(help: "The caller's name.") var name: String

        func run() throws {
            let path = try location.path()
            try KeysCommand.update(path) { (file: inout KeysFile) throws(KeysFileError) in
                guard file.entry(named: name) != nil else { throw KeysFileError("no caller named \(name) in \(path)") }
                file.callers.removeAll { $0.name == name }
            }
            print("removed caller \(name) from \(path); its key is refused from the next request on")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the callers and their limits (never their keys).")

        @OptionGroup var location: Location

        func run() throws {
            let path = try location.path()
            let file: KeysFile
            do throws(KeysFileError) {
                file = try KeysFileStore.read(path) ?? KeysFile()
            } catch {
                throw KeysCommand.failure(error.description)
            }
            let rows = [["NAME", "DAILY", "MONTHLY", "RUNS/MIN", "MODELS", "EXECUTE", "ADMIN", "CREATED"]]
                + file.callers.map { entry in
                    let limits = entry.limits
                    let daily: String = limits.dailyUSD.map(SpendAccount.dollars) ?? "-"
                    let monthly: String = limits.monthlyUSD.map(SpendAccount.dollars) ?? "-"
                    let rate: String = limits.runsPerMinute.map(String.init) ?? "-"
                    let models: String = limits.models?.joined(separator: ",") ?? "all"
                    return [entry.name, daily, monthly, rate, models, limits.mayExecute ? "yes" : "no", limits.isAdmin ? "yes" : "no",
                            entry.created ?? "-"]
                }
            let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
            for row in rows {
                let cells = row.enumerated().map { column, cell in
                    column == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count)
                }
                print(cells.joined(separator: "  "))
            }
            if file.callers.isEmpty { print("(no callers in \(path))") }
        }
    }

    /// ``KeysFileStore/update(_:_:)``, its error on stderr with exit status 1.
    static func update(_ path: String, _ change: (inout KeysFile) throws(KeysFileError) -> Void) throws {
        do throws(KeysFileError) {
            try KeysFileStore.update(path, change)
        } catch {
            throw failure(error.description)
        }
    }

    /// Writes `message` to stderr; the error to throw for exit status 1.
    static func failure(_ message: String) -> ExitCode {
        StandardError.writeLine("claude-fcgi keys: \(message)")
        return ExitCode(1)
    }


    /// The limits in a few words, for `keys add`.
    static func describe(_ limits: CallerLimits) -> String {
        var parts: [String] = []
        parts.append(limits.dailyUSD.map { SpendAccount.dollars($0) + " a day" } ?? "no daily cap")
        parts.append(limits.monthlyUSD.map { SpendAccount.dollars($0) + " a month" } ?? "no monthly cap")
        parts.append(limits.runsPerMinute.map { "\($0) runs a minute" } ?? "no run rate limit")
        parts.append(limits.models.map { "models \($0.joined(separator: ","))" } ?? "every model")
        parts.append(limits.mayExecute ? "may use /execute" : "no /execute")
        if limits.isAdmin { parts.append("admin") }
        return parts.joined(separator: ", ")
    }
}
