/// A place the Big Pods run on Kubernetes: a kubeconfig context and a namespace, with a name
/// for the header ("dev", "staging", "prod"). Production is drawn in a colour of its own.
public struct KubernetesEnvironment: Sendable, Equatable {
    public var name: String
    /// Nil: the kubeconfig's current context (or `--context`).
    public var context: String?
    public var namespace: String
    public var isProduction: Bool

    public init(name: String, context: String?, namespace: String, isProduction: Bool) {
        self.name = name
        self.context = context
        self.namespace = namespace
        self.isProduction = isProduction
    }

    /// Without a word from the config, "prod" or "production" in the name or namespace says it.
    public static func looksLikeProduction(name: String, namespace: String) -> Bool {
        [name, namespace].contains { text in
            text.lowercased().split(whereSeparator: { !$0.isLetter }).contains { $0 == "prod" || $0 == "production" }
        }
    }

    /// DreamScape's three namespaces, in the current context: what `e` offers when the config
    /// names no environments.
    public static let dreamScape: [KubernetesEnvironment] = ["dev", "staging", "prod"].map {
        KubernetesEnvironment(name: $0, context: nil, namespace: "dreamscape-\($0)", isProduction: $0 == "prod")
    }
}
