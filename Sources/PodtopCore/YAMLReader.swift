import Yams

/// Walks a YAML document while remembering where it is, so every error names the file, the
/// line and the field. Config and theme parsing both read through it.
struct YAMLReader {
    let file: String

    func root(_ text: String) throws(FileProblem) -> Located {
        do {
            // The basic resolver tags every scalar as text: numbers and booleans are read below,
            // as written. Yams' default one would compile seven regular expressions first, which
            // brings in ICU's regex engine and data: milliseconds and megabytes at every start.
            guard let node = try Yams.compose(yaml: text, .basic, .default, .utf8) else {
                return Located(node: .mapping(Node.Mapping([])), path: "", reader: self)
            }
            return Located(node: node, path: "", reader: self)
        } catch let error as YamlError {
            throw problem(from: error)
        } catch {
            throw FileProblem(file: file, line: nil, field: nil, problem: "\(error)")
        }
    }

    private func problem(from error: YamlError) -> FileProblem {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let what = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
            return FileProblem(file: file, line: mark.line, field: nil, problem: "invalid YAML: \(what)")
        default:
            return FileProblem(file: file, line: nil, field: nil, problem: "invalid YAML: \(error)")
        }
    }

    struct Located {
        let node: Node
        let path: String
        let reader: YAMLReader

        var line: Int? { node.mark.map(\.line) }

        func fail(_ problem: String) -> FileProblem {
            FileProblem(file: reader.file, line: line, field: path.isEmpty ? nil : path, problem: problem)
        }

        func child(_ node: Node, _ component: String) -> Located {
            let separator = path.isEmpty || component.hasPrefix("[") ? "" : "."
            return Located(node: node, path: path + separator + component, reader: reader)
        }

        /// The mapping's entries in file order; keys must be plain strings.
        func entries() throws(FileProblem) -> [(key: String, value: Located)] {
            guard let mapping = node.mapping else { throw fail("expected a mapping of keys to values") }
            var result: [(String, Located)] = []
            for (key, value) in mapping {
                guard let name = key.string else { throw child(key, "?").fail("keys must be text") }
                result.append((name, child(value, name)))
            }
            return result
        }

        /// Entries, refusing any key not in `allowed` (a typo should not be silently ignored).
        func entries(allowed: Set<String>) throws(FileProblem) -> [String: Located] {
            var result: [String: Located] = [:]
            for (key, value) in try entries() {
                guard allowed.contains(key) else {
                    throw value.fail("unknown field; expected one of \(allowed.sorted().joined(separator: ", "))")
                }
                result[key] = value
            }
            return result
        }

        func items() throws(FileProblem) -> [Located] {
            guard let sequence = node.sequence else { throw fail("expected a list") }
            return sequence.enumerated().map { child($1, "[\($0)]") }
        }

        /// A value shown on screen or sent as written: a control, bidirectional or zero-width
        /// character in it is refused, never drawn.
        func string() throws(FileProblem) -> String {
            guard let scalar = node.scalar else { throw fail("expected a single value") }
            if let control = scalar.string.unicodeScalars.first(where: { InertText.of(String($0)) != String($0) }) {
                throw fail("has a control character (U+\(String(control.value, radix: 16, uppercase: true).leftPadded(to: 4))) in it")
            }
            return scalar.string
        }

        /// Read as written in decimal: Yams' own reading of YAML 1.1's forms (base 60 as in
        /// `1:30`, `0x`, `0o`) traps when the number does not fit.
        func int(in range: ClosedRange<Int>) throws(FileProblem) -> Int {
            guard let text = node.scalar?.string else { throw fail("expected a whole number") }
            guard let value = Int(text.replacingOccurrences(of: "_", with: "")) else {
                throw fail(text.allSatisfy { $0.isNumber || $0 == "-" || $0 == "+" || $0 == "_" }
                           ? "\(text) is out of range \(range.lowerBound)…\(range.upperBound)" : "expected a whole number")
            }
            guard range.contains(value) else { throw fail("\(value) is out of range \(range.lowerBound)…\(range.upperBound)") }
            return value
        }

        func double(in range: ClosedRange<Double>) throws(FileProblem) -> Double {
            guard let text = node.scalar?.string, let value = Double(text.replacingOccurrences(of: "_", with: "")), value.isFinite else {
                throw fail("expected a number")
            }
            guard range.contains(value) else { throw fail("\(value) is out of range \(range.lowerBound)…\(range.upperBound)") }
            return value
        }

        /// YAML 1.1's words for true and false (`true`, `yes`, `on`, any case), unquoted.
        func bool() throws(FileProblem) -> Bool {
            guard let scalar = node.scalar, scalar.style == .plain || scalar.style == .any else { throw fail("expected true or false") }
            switch scalar.string.lowercased() {
            case "true", "yes", "on": return true
            case "false", "no", "off": return false
            default: throw fail("expected true or false")
            }
        }
    }
}
