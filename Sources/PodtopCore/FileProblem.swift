/// A problem in a file the user wrote (config, theme), said the way a compiler says it:
/// `config.yaml:12: pods[0].services[1].health: expected an http:// URL`.
public struct FileProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var field: String?
    public var problem: String

    public init(file: String, line: Int?, field: String?, problem: String) {
        self.file = file
        self.line = line
        self.field = field
        self.problem = problem
    }

    /// A problem with the whole file, not one place in it.
    public init(file: String, problem: String) {
        self.init(file: file, line: nil, field: nil, problem: problem)
    }

    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        text += ": "
        if let field, !field.isEmpty { text += "\(field): " }
        return text + problem
    }
}
