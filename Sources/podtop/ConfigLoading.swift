import Foundation
import PodtopCore

/// Where podtop looks for its config and themes: $XDG_CONFIG_HOME/podtop, else ~/.config/podtop.
enum ConfigPaths {
    static func configDirectory(_ environment: [String: String]) -> URL {
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty {
            return URL(fileURLWithPath: xdg).appendingPathComponent("podtop")
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return URL(fileURLWithPath: home).appendingPathComponent(".config/podtop")
    }

    /// The reason an error gives for a file, without Foundation's long wrapping.
    static func reason(_ error: Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        switch nsError.code {
        case NSFileReadNoSuchFileError: return "no such file"
        case NSFileReadNoPermissionError: return "permission denied"
        case NSFileReadInapplicableStringEncodingError: return "not UTF-8 text"
        default: return nsError.localizedDescription
        }
    }
}

enum ConfigLoading {
    /// `--config PATH`, else `$XDG_CONFIG_HOME/podtop/config.yaml` when it exists, else the
    /// built-in DreamScape defaults.
    static func load(path: String?, environment: [String: String]) throws(FileProblem) -> PodtopConfig {
        let candidate: String
        if let path {
            candidate = path
        } else {
            candidate = ConfigPaths.configDirectory(environment).appendingPathComponent("config.yaml").path
            guard FileManager.default.fileExists(atPath: candidate) else { return .builtIn }
        }
        let text: String
        do { text = try String(contentsOfFile: candidate, encoding: .utf8) } catch {
            throw FileProblem(file: candidate, line: nil, field: nil, problem: "cannot read the config file: \(ConfigPaths.reason(error))")
        }
        return try ConfigFile.parse(text, file: candidate)
    }
}
