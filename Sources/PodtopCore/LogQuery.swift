import Foundation

/// What the reader typed to search or filter the log pane: a substring or a regular
/// expression. Smart case, as in vim and ripgrep: a query with no capital letter ignores case,
/// one with a capital letter means it.
public struct LogQuery: Sendable, Equatable {
    public let text: String
    public let isRegex: Bool
    private let matcher: Matcher

    private enum Matcher: @unchecked Sendable {
        case substring(String, String.CompareOptions)
        /// NSRegularExpression is immutable once built and documented as safe to share across threads.
        case regex(NSRegularExpression)
        case invalid(String)
    }

    public init(_ text: String, isRegex: Bool = false) {
        self.text = text
        self.isRegex = isRegex
        let caseSensitive = text.contains { $0.isUppercase }
        if isRegex {
            do {
                let options: NSRegularExpression.Options = caseSensitive ? [] : [.caseInsensitive]
                matcher = .regex(try NSRegularExpression(pattern: text, options: options))
            } catch {
                matcher = .invalid("invalid regular expression")
            }
        } else {
            matcher = .substring(text, caseSensitive ? [] : [.caseInsensitive])
        }
    }

    public static func == (a: LogQuery, b: LogQuery) -> Bool { a.text == b.text && a.isRegex == b.isRegex }

    public var isEmpty: Bool { text.isEmpty }

    /// Why the query cannot match anything, if it cannot (a malformed regular expression).
    public var problem: String? {
        if case .invalid(let reason) = matcher { return reason }
        return nil
    }

    /// How the query is shown back: `/re/` for a regular expression, quoted for a substring.
    public var label: String { isRegex ? "/\(text)/" : "\"\(text)\"" }

    public func matches(_ candidate: String) -> Bool {
        switch matcher {
        case .substring(let needle, let options):
            return needle.isEmpty || candidate.range(of: needle, options: options) != nil
        case .regex(let expression):
            return expression.firstMatch(in: candidate, range: NSRange(candidate.startIndex..., in: candidate)) != nil
        case .invalid:
            return false
        }
    }

    /// Every non-empty match in `candidate`, in order (for highlighting).
    public func ranges(in candidate: String) -> [Range<String.Index>] {
        switch matcher {
        case .substring(let needle, let options):
            guard !needle.isEmpty else { return [] }
            var found: [Range<String.Index>] = []
            var from = candidate.startIndex
            while let range = candidate.range(of: needle, options: options, range: from..<candidate.endIndex) {
                found.append(range)
                from = range.upperBound
            }
            return found
        case .regex(let expression):
            return expression.matches(in: candidate, range: NSRange(candidate.startIndex..., in: candidate))
                .compactMap { Range($0.range, in: candidate) }
                .filter { !$0.isEmpty }
        case .invalid:
            return []
        }
    }
}
