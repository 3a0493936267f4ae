import Foundation
import PodtopCore

/// The themes podtop can use: the bundled ones, then the user's own from
/// `$XDG_CONFIG_HOME/podtop/themes/*.yaml` (a user theme with a bundled name replaces it).
struct ThemeCatalog {
    private(set) var themes: [Theme] = []

    static func load(environment: [String: String]) throws(FileProblem) -> ThemeCatalog {
        var catalog = ThemeCatalog()
        for file in BundledThemes.files {
            catalog.add(try ThemeFile.parse(file.text, file: "themes/\(file.name).yaml (built in)"))
        }
        let directory = ConfigPaths.configDirectory(environment).appendingPathComponent("themes")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        for name in names.sorted() where name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
            catalog.add(try loadFile(directory.appendingPathComponent(name).path))
        }
        return catalog
    }

    static func loadFile(_ path: String) throws(FileProblem) -> Theme {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw FileProblem(file: path, line: nil, field: nil, problem: "cannot read the theme file: \(ConfigPaths.reason(error))")
        }
        return try ThemeFile.parse(text, file: path)
    }

    private mutating func add(_ theme: Theme) {
        if let index = themes.firstIndex(where: { $0.name == theme.name }) {
            themes[index] = theme
        } else {
            themes.append(theme)
        }
    }

    /// `--theme NAME` picks a known theme; `--theme PATH` loads a file and adds it.
    mutating func select(_ nameOrPath: String) throws(FileProblem) -> Int {
        if nameOrPath.contains("/") || nameOrPath.hasSuffix(".yaml") || nameOrPath.hasSuffix(".yml") {
            let theme = try Self.loadFile(nameOrPath)
            add(theme)
            return themes.firstIndex { $0.name == theme.name } ?? 0
        }
        guard let index = themes.firstIndex(where: { $0.name == nameOrPath }) else {
            throw FileProblem(file: "--theme", line: nil, field: nil,
                              problem: "no theme named '\(nameOrPath)'; known: \(themes.map(\.name).joined(separator: ", "))")
        }
        return index
    }
}
