import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// Why a request got no answer, told from the error's type rather than its text: the same kinds
/// for the Docker daemon, the Kubernetes API server and the health endpoints.
enum TransportFailure: Equatable, Sendable {
    case refused
    case reset
    case timedOut
    /// The peer closed the connection before it answered.
    case closed
    case tls(String)
    /// No socket could be made: the process is out of file descriptors (EMFILE, ENFILE).
    case descriptorsExhausted
    case other(String)

    init(_ error: any Error) {
        self = Self.classify(error) ?? .other(String(describing: error))
        // Whoever met it, the screen says so (DescriptorBudget.shortage).
        if self == .descriptorsExhausted { DescriptorBudget.process.noteExhausted() }
    }

    private static func classify(_ error: any Error) -> TransportFailure? {
        switch error {
        case let error as IOError:
            return errno(error.errnoCode)
        case let error as NIOConnectionError:
            // Every address tried failed; the first one's reason stands for them.
            return error.connectionErrors.lazy.compactMap { classify($0.error) }.first
        case let error as ChannelError:
            switch error {
            case .connectTimeout: return .timedOut
            case .ioOnClosedChannel, .eof, .outputClosed, .inputClosed, .alreadyClosed: return .closed
            default: return nil
            }
        case let error as HTTPClientError:
            switch error {
            case .connectTimeout, .readTimeout, .writeTimeout, .deadlineExceeded: return .timedOut
            case .remoteConnectionClosed: return .closed
            default: return nil
            }
        case let error as NIOSSLError:
            return .tls(String(describing: error))
        case is BoringSSLError:
            return .tls(String(describing: error))
        default:
            return nil
        }
    }

    private static func errno(_ code: Int32) -> TransportFailure? {
        switch code {
        case ECONNREFUSED: .refused
        case ECONNRESET, EPIPE: .reset
        case ETIMEDOUT: .timedOut
        case EMFILE, ENFILE: .descriptorsExhausted
        default: nil
        }
    }

    /// In words, for a status line or a health detail.
    var words: String {
        switch self {
        case .refused: "connection refused"
        case .reset: "connection reset"
        case .timedOut: "no answer in time"
        case .closed: "connection closed before an answer"
        case .tls(let text): "TLS failed: \(text)"
        case .descriptorsExhausted: "descriptors exhausted"
        case .other(let text): text
        }
    }

    /// "cannot reach `what`: …", or what happened with it.
    func describe(reaching what: String) -> String {
        switch self {
        case .timedOut: "\(what) did not answer in time"
        case .closed: "\(what) closed the connection"
        default: "cannot reach \(what): \(words)"
        }
    }
}
