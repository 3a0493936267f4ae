import Foundation

/// Checks a JSON document against the part of JSON Schema (2020-12) that podtop's schema files
/// use: type, required, properties, additionalProperties: false, enum, items, minimum,
/// format: date-time and local `$ref`s to `#/$defs/…`. Anything else in a schema is reported as
/// unsupported rather than silently passed.
public struct JSONSchemaValidator {
    let root: [String: Any]

    public init(schemaFile: URL) throws {
        root = try JSONSerialization.jsonObject(with: Data(contentsOf: schemaFile)) as? [String: Any] ?? [:]
    }

    /// Every violation, as "path: what is wrong"; empty when the document conforms.
    public func violations(of json: String) -> [String] {
        guard let value = try? JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed]) else {
            return ["$: not JSON"]
        }
        var found: [String] = []
        check(value, against: root, at: "$", into: &found)
        return found
    }

    static let understood: Set<String> = [
        "$schema", "$id", "title", "description", "$defs", "$ref", "type", "required", "properties",
        "additionalProperties", "enum", "items", "minimum", "format",
    ]

    private func check(_ value: Any, against schema: [String: Any], at path: String, into found: inout [String]) {
        for key in schema.keys where !Self.understood.contains(key) { found.append("\(path): schema keyword \(key) is not supported by this validator") }
        if let reference = schema["$ref"] as? String {
            let name = reference.replacingOccurrences(of: "#/$defs/", with: "")
            guard let definitions = root["$defs"] as? [String: Any], let target = definitions[name] as? [String: Any] else {
                found.append("\(path): unresolved \(reference)")
                return
            }
            check(value, against: target, at: path, into: &found)
            return
        }
        if let type = schema["type"] as? String, !Self.matches(value, type) {
            found.append("\(path): expected \(type), found \(Self.describe(value))")
            return
        }
        if let choices = schema["enum"] as? [Any], !choices.contains(where: { Self.equal($0, value) }) {
            found.append("\(path): \(Self.describe(value)) is not one of \(choices)")
        }
        if let minimum = schema["minimum"] as? Double, let number = value as? NSNumber, number.doubleValue < minimum {
            found.append("\(path): \(number) is below \(minimum)")
        }
        if schema["format"] as? String == "date-time", let text = value as? String,
           (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text)) == nil,
           (try? Date.ISO8601FormatStyle().parse(text)) == nil {
            found.append("\(path): \(text) is not an RFC 3339 date-time")
        }
        if let object = value as? [String: Any] {
            for key in schema["required"] as? [String] ?? [] where object[key] == nil { found.append("\(path): missing \(key)") }
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for (key, member) in object {
                if let memberSchema = properties[key] as? [String: Any] {
                    check(member, against: memberSchema, at: "\(path).\(key)", into: &found)
                } else if schema["additionalProperties"] as? Bool == false {
                    found.append("\(path): unexpected field \(key)")
                }
            }
        }
        if let array = value as? [Any], let items = schema["items"] as? [String: Any] {
            for (index, element) in array.enumerated() { check(element, against: items, at: "\(path)[\(index)]", into: &found) }
        }
    }

    static func matches(_ value: Any, _ type: String) -> Bool {
        switch type {
        case "object": return value is [String: Any]
        case "array": return value is [Any]
        case "string": return value is String
        // JSONSerialization gives booleans as NSNumbers too: only their class tells them apart.
        case "boolean": return String(describing: Swift.type(of: value)).contains("Boolean")
        case "integer":
            guard let number = value as? NSNumber, !matches(value, "boolean") else { return false }
            return number.doubleValue == number.doubleValue.rounded()
        case "number": return value is NSNumber && !matches(value, "boolean")
        case "null": return value is NSNull
        default: return false
        }
    }

    static func equal(_ a: Any, _ b: Any) -> Bool {
        if let a = a as? String, let b = b as? String { return a == b }
        if let a = a as? NSNumber, let b = b as? NSNumber { return a == b }
        return false
    }

    static func describe(_ value: Any) -> String {
        if value is String { return "a string" }
        if value is [Any] { return "an array" }
        if value is [String: Any] { return "an object" }
        return "\(value)"
    }
}
