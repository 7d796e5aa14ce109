import Glibc

/// Where the bearer token comes from: a file that others cannot read, or `CLAUDE_FCGI_TOKEN`.
enum TokenSource {
    static func token(file tokenFile: String?, environment: [String: String]) throws(ConfigurationError) -> String {
        var token: String
        if let tokenFile {
            var info = stat()
            if case .failure(let code) = SystemCall.result({ stat(tokenFile, &info) }) {
                throw ConfigurationError("token file \(tokenFile): \(Errno.describe(code.value))")
            }
            guard info.st_mode & 0o007 == 0 else {
                throw ConfigurationError("token file \(tokenFile) is readable by others (mode \(String(info.st_mode & 0o777, radix: 8))); chmod 600 it")
            }
            let contents: [UInt8]
            do {
                contents = try FileBytes.contents(tokenFile, limit: 4096)
            } catch {
                throw ConfigurationError("token file \(tokenFile) cannot be read: \(Errno.describe(error.code))")
            }
            token = String(decoding: contents, as: UTF8.self).trimmingWhitespace()
        } else {
            token = (environment["CLAUDE_FCGI_TOKEN"] ?? "").trimmingWhitespace()
        }
        guard !token.isEmpty else {
            throw ConfigurationError("no token configured: set CLAUDE_FCGI_TOKEN or --token-file (refusing to serve without auth)")
        }
        guard !token.contains(where: { $0.isWhitespace }) else {
            throw ConfigurationError("the token must not contain whitespace")
        }
        return token
    }
}
