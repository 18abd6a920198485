/// `${VAR}` and `${VAR:-default}` in a config file's text, as DagStack/config-python substitutes
/// them (config-spec ADR-0001 §2): on the raw text of each file, before it is parsed, so
/// `port: ${PORT:-8080}` is the number 8080. `$$` is a literal `$`; a default is taken literally
/// (the expression ends at the first `}`); an empty variable takes the default; an unset one
/// without a default is an error naming it; `${secret:...}` references are left as written.
public enum ConfigInterpolation {
    /// A `${VAR}` with no default whose variable is not set.
    public struct Unresolved: Error, Sendable, Equatable {
        public let variable: String
        /// 1-based line and column of the `${` in the text.
        public let line: Int
        public let column: Int
    }

    public static func substitute(_ text: String, environment: [String: String]) throws(Unresolved) -> String {
        let chars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        var line = 1, lineStart = 0
        while i < chars.count {
            let c = chars[i]
            if c == "\n" {
                line += 1
                lineStart = i + 1
            }
            guard c == "$", i + 1 < chars.count else {
                out.append(c)
                i += 1
                continue
            }
            if chars[i + 1] == "$" {
                out.append("$")
                i += 2
                continue
            }
            guard chars[i + 1] == "{", let close = chars[(i + 2)...].firstIndex(of: "}") else {
                out.append(c)
                i += 1
                continue
            }
            let expression = String(String.UnicodeScalarView(chars[(i + 2)..<close]))
            if expression.hasPrefix("secret:") {
                out.append(contentsOf: "${\(expression)}".unicodeScalars)
            } else if let split = expression.range(of: ":-") {
                let name = expression[..<split.lowerBound].trimmingCharacters(in: .whitespaces)
                let value = environment[name] ?? ""
                out.append(contentsOf: (value.isEmpty ? String(expression[split.upperBound...]) : value).unicodeScalars)
            } else {
                let name = expression.trimmingCharacters(in: .whitespaces)
                guard let value = environment[name] else {
                    throw Unresolved(variable: name, line: line, column: i - lineStart + 1)
                }
                out.append(contentsOf: value.unicodeScalars)
            }
            i = close + 1
        }
        return String(out)
    }
}

import Foundation

extension ConfigInterpolation {
    /// The environment variables each line (1-based) of `text` takes a value from — `${VAR}` whose
    /// variable is set, `${VAR:-default}` whose variable is set and not empty (`$${` is no
    /// reference) — so that an error can say a value came from the environment.
    public static func variables(in text: String, environment: [String: String]) -> [Int: [String]] {
        var result: [Int: [String]] = [:]
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where line.contains("${") {
            let chars = Array(line.unicodeScalars)
            var i = 0
            while i + 1 < chars.count {
                if chars[i] == "$", chars[i + 1] == "$" {
                    i += 2
                    continue
                }
                guard chars[i] == "$", chars[i + 1] == "{", let close = chars[(i + 2)...].firstIndex(of: "}") else {
                    i += 1
                    continue
                }
                let expression = String(String.UnicodeScalarView(chars[(i + 2)..<close]))
                let name = String(expression.prefix { $0 != ":" }).trimmingCharacters(in: .whitespaces)
                // An empty variable gives `${VAR}` its (empty) value, and `${VAR:-default}` its default.
                let fromEnvironment = expression.contains(":-") ? environment[name]?.isEmpty == false : environment[name] != nil
                if !expression.hasPrefix("secret:"), fromEnvironment { result[index + 1, default: []].append(name) }
                i = close + 1
            }
        }
        return result
    }
}
