import Foundation
import PodtopCore

/// Everything needed to talk to one API server as one user in one namespace: a kubeconfig
/// context resolved, or the pod's own service account when podtop runs in the cluster.
public struct KubernetesTarget: Sendable, Equatable {
    /// The context's name ("in-cluster" inside a pod), for the header.
    public var contextName: String
    public var server: String
    public var namespace: String
    public var certificateAuthorityPEM: [UInt8]?
    public var insecureSkipTLSVerify: Bool
    public var clientCertificate: ClientCertificate?
    public var bearer: BearerSource?
    /// podtop runs in a pod of this cluster (its service account): Services are reachable at
    /// their cluster DNS names.
    public var isInCluster = false

    public struct ClientCertificate: Sendable, Equatable {
        public var certificatePEM: [UInt8]
        public var keyPEM: [UInt8]
    }

    public enum BearerSource: Sendable, Equatable {
        case token(String)
        /// Re-read every minute and after a 401: projected tokens rotate.
        case file(String)
        /// Run for a credential, kept until it expires, run again after a 401.
        case exec(KubeConfig.ExecPlugin, user: String)
    }

    public init(contextName: String, server: String, namespace: String, certificateAuthorityPEM: [UInt8]? = nil,
                insecureSkipTLSVerify: Bool = false, clientCertificate: ClientCertificate? = nil, bearer: BearerSource? = nil) {
        self.contextName = contextName
        self.server = server.hasSuffix("/") ? String(server.dropLast()) : server
        self.namespace = namespace
        self.certificateAuthorityPEM = certificateAuthorityPEM
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.clientCertificate = clientCertificate
        self.bearer = bearer
    }

    /// Why the connection is not private, when it is not.
    public var insecure: String? {
        if server.hasPrefix("http://") { return "plain http://: the API server's answers and podtop's requests are not encrypted" }
        if insecureSkipTLSVerify { return "insecure-skip-tls-verify: the API server's certificate is not checked" }
        return nil
    }

    /// The service account's files when running inside a pod.
    public static let serviceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// The in-cluster configuration, when `KUBERNETES_SERVICE_HOST` says podtop runs in a pod.
    public static func inCluster(environment: [String: String], directory: String = serviceAccountDirectory) -> KubernetesTarget? {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty,
              let port = environment["KUBERNETES_SERVICE_PORT"], !port.isEmpty,
              FileManager.default.fileExists(atPath: directory + "/token") else { return nil }
        let bracketed = host.contains(":") ? "[\(host)]" : host
        let namespace = (try? String(contentsOfFile: directory + "/namespace", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        var target = KubernetesTarget(
            contextName: "in-cluster", server: "https://\(bracketed):\(port)", namespace: namespace ?? "default",
            certificateAuthorityPEM: FileManager.default.contents(atPath: directory + "/ca.crt").map { Array($0) },
            bearer: .file(directory + "/token"))
        target.isInCluster = true
        return target
    }
}

extension KubeConfig {
    /// The named context (else the current one) with its cluster and user, in `namespace` if
    /// given, else the context's, else `default`.
    public func target(context wanted: String? = nil, namespace: String? = nil) throws(RuntimeError) -> KubernetesTarget {
        let where_ = files.isEmpty ? "the kubeconfig" : files.joined(separator: ":")
        guard let name = wanted ?? currentContext else {
            throw RuntimeError("\(where_) sets no current-context; name one with --context (\(contextOrder.joined(separator: ", ")))")
        }
        guard let context = contexts[name] else {
            throw RuntimeError("no context \"\(name)\" in \(where_) (it has: \(contextOrder.joined(separator: ", ")))")
        }
        guard let cluster = clusters[context.cluster] else {
            throw RuntimeError("context \"\(name)\" names cluster \"\(context.cluster)\", which \(where_) does not define")
        }
        guard let user = users[context.user] else {
            throw RuntimeError("context \"\(name)\" names user \"\(context.user)\", which \(where_) does not define")
        }
        if cluster.insecureSkipTLSVerify, cluster.certificateAuthorityPEM != nil {
            // kubectl refuses the pair: a CA that is not checked would only look like trust.
            throw RuntimeError("cluster \"\(context.cluster)\": specifying a root certificates file with the insecure flag is not allowed")
        }
        var target = KubernetesTarget(
            contextName: name, server: cluster.server, namespace: namespace ?? context.namespace ?? "default",
            certificateAuthorityPEM: cluster.certificateAuthorityPEM, insecureSkipTLSVerify: cluster.insecureSkipTLSVerify)
        switch (user.clientCertificatePEM, user.clientKeyPEM) {
        case (let certificate?, let key?): target.clientCertificate = .init(certificatePEM: certificate, keyPEM: key)
        case (nil, nil): break
        default: throw RuntimeError("user \"\(context.user)\" has a client certificate without its key, or a key without its certificate")
        }
        if let exec = user.exec {
            try Self.check(exec, user: context.user)
            target.bearer = .exec(exec, user: context.user)
        } else if let token = user.token, !token.isEmpty {
            target.bearer = .token(token)
        } else if let file = user.tokenFile {
            target.bearer = .file(file)
        }
        return target
    }

    /// kubectl's own refusals, so a kubeconfig that kubectl refuses is refused here with its words.
    static func check(_ exec: ExecPlugin, user: String) throws(RuntimeError) {
        let known = ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"]
        guard known.contains(exec.apiVersion) else {
            throw RuntimeError("user \"\(user)\": exec plugin apiVersion \"\(exec.apiVersion)\" is not one of \(known.joined(separator: ", "))")
        }
        if exec.apiVersion.hasSuffix("/v1"), exec.interactiveMode == nil {
            throw RuntimeError("interactiveMode must be specified for \(user) to use exec authentication plugin")
        }
        if exec.interactiveMode == "Always" {
            throw RuntimeError("user \"\(user)\": the exec plugin wants a terminal of its own (interactiveMode: Always); log in with kubectl first, or set IfAvailable")
        }
    }
}
