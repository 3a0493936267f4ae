import Foundation
import PodtopCore

/// One watch of a kind of object, kept up for as long as the server is there: a watch the server
/// ends (its timeout) resumes from the last version seen, an object's or a bookmark's; 410 Gone,
/// as the answer or as an ERROR event, means a fresh list and a watch from its version.
struct KubernetesWatch<Object: KubernetesWatchable>: Sendable {
    let client: KubernetesClient
    let path: String
    let clock: RuntimeClock
    /// Lists the objects again (after 410 Gone); returns the list's version.
    let relist: @Sendable () async throws(KubernetesAPIError) -> String
    /// Called when the watch opens and with every line it brings: it is alive.
    let heard: @Sendable () async -> Void
    let apply: @Sendable (KubernetesWatchEvent<Object>) async -> Void

    /// A watch asks the server to end it after a minute, and opens again from where it was: a
    /// quiet watch on a server that sends no bookmarks is still heard from within
    /// `KubernetesRuntime.watchSilenceLimit`.
    static var timeoutSeconds: Int { 60 }

    /// Watches from `start` until the server is lost; returns why.
    func run(from start: String) async -> String {
        var version = start
        // Two expiries with nothing between them: the server answers 410 to its own list's
        // version (a compaction racing the list); the next list waits a second, not a spin.
        var expiredInARow = 0
        while !Task.isCancelled {
            if expiredInARow > 1 { try? await clock.sleep(for: .seconds(1)) }
            do throws(KubernetesAPIError) {
                let body = try await client.stream(path, query: [
                    "watch": "1", "resourceVersion": version, "allowWatchBookmarks": "true", "timeoutSeconds": String(Self.timeoutSeconds),
                ])
                await heard()
                var splitter = JSONLineSplitter()
                var expired = false
                do {
                    reading: for try await chunk in body {
                        for line in splitter.feed(chunk.readableBytesView) {
                            await heard()
                            guard let event = try? KubernetesWatchEvent<Object>.decode(line) else { continue }
                            switch event {
                            case .added(let object), .modified(let object), .deleted(let object):
                                version = object.resourceVersion ?? version
                                expiredInARow = 0
                            case .bookmark(let resourceVersion):
                                version = resourceVersion
                            case .error(let status):
                                if status.code == 410 { expired = true }
                                break reading
                            }
                            await apply(event)
                        }
                    }
                } catch {
                    if Task.isCancelled { return "stopped" }
                    // The stream broke mid-way: the server may be gone; the next request says.
                }
                if expired {
                    expiredInARow += 1
                    version = try await relist()
                }
            } catch {
                if error.code == 410 {
                    expiredInARow += 1
                    do throws(KubernetesAPIError) { version = try await relist() } catch { return error.description }
                    continue
                }
                return Task.isCancelled ? "stopped" : error.description
            }
        }
        return "stopped"
    }
}
