/// Reads a theme file:
///
/// ```yaml
/// name: default
/// roles:
///   status.ok: { fg: green, bold: true }
///   selection: { fg: black, bg: "#5fafd7" }
/// ```
/// Colours are `default`, a name (`red`, `bright-blue`…), an index 0–255 or `#rrggbb`.
public enum ThemeFile {
    public static func parse(_ text: String, file: String) throws(FileProblem) -> Theme {
        let root = try YAMLReader(file: file).root(text)
        let fields = try root.entries(allowed: ["name", "description", "roles"])
        guard let nameNode = fields["name"] else { throw root.fail("a theme needs a name") }
        let name = try nameNode.string()
        guard let rolesNode = fields["roles"] else { throw root.fail("a theme needs a roles mapping") }
        var styles: [StyleRole: ThemeStyle] = [:]
        for (key, value) in try rolesNode.entries() {
            guard let role = StyleRole(rawValue: key) else {
                throw value.fail("unknown role; known roles are \(StyleRole.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            styles[role] = try style(value)
        }
        return Theme(name: name, styles: styles)
    }

    private static func style(_ node: YAMLReader.Located) throws(FileProblem) -> ThemeStyle {
        let fields = try node.entries(allowed: ["fg", "bg", "bold", "dim", "reverse", "underline"])
        var style = ThemeStyle()
        if let fg = fields["fg"] { style.foreground = try color(fg) }
        if let bg = fields["bg"] { style.background = try color(bg) }
        style.bold = try fields["bold"]?.bool() ?? false
        style.dim = try fields["dim"]?.bool() ?? false
        style.reverse = try fields["reverse"]?.bool() ?? false
        style.underline = try fields["underline"]?.bool() ?? false
        return style
    }

    static let colorNames = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]

    static func color(_ node: YAMLReader.Located) throws(FileProblem) -> ThemeColor {
        let text = try node.string().lowercased()
        if text == "default" { return .terminalDefault }
        if let index = colorNames.firstIndex(of: text) { return .indexed(UInt8(index)) }
        if text.hasPrefix("bright-"), let index = colorNames.firstIndex(of: String(text.dropFirst(7))) {
            return .indexed(UInt8(index + 8))
        }
        if let index = Int(text) {
            guard (0...255).contains(index) else { throw node.fail("colour index \(index) is not in 0…255") }
            return .indexed(UInt8(index))
        }
        if text.hasPrefix("#"), text.count == 7, let value = UInt32(text.dropFirst(), radix: 16) {
            return .rgb(UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF))
        }
        throw node.fail("'\(text)' is not a colour: use default, a name like red or bright-blue, 0–255 or #rrggbb")
    }
}
