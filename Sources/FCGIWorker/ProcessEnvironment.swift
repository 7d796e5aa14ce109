import Core
import Glibc

/// The worker process's own environment, directory and filesystem set-up.
enum ProcessEnvironment {
    static func current() -> [String: String] {
        var result: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            pointer += 1
        }
        return result
    }

    static func currentDirectory() -> String {
        guard let path = getcwd(nil, 0) else { return "/" }
        defer { free(path) }
        return String(cString: path)
    }

    /// Creates the directory (and its parents) with mode 0700 when missing.
    static func makeDirectory(_ path: String) throws(ConfigurationError) {
        var prefix = ""
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if case .failure(let code) = SystemCall.result({ mkdir(prefix, 0o700) }), code.value != EEXIST {
                throw ConfigurationError("cannot create state directory \(prefix): \(Errno.describe(code.value))")
            }
        }
    }
}
