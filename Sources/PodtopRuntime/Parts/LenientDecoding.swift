/// Decoding that keeps what it can: one field out of range or of the wrong type must not lose a
/// whole container (its logs, its confirmed state). A number too big for `Int` is held at the
/// edge of its range; anything else unreadable is left out and named in `dropped`, which the
/// replica's details show.
extension KeyedDecodingContainer {
    func lenientInt(_ key: Key, dropped: inout [String], path: String = "") -> Int? {
        guard contains(key), (try? decodeNil(forKey: key)) == false else { return nil }
        if let value = try? decode(Int.self, forKey: key) { return value }
        if let value = try? decode(Double.self, forKey: key), value.isFinite {
            return value >= 9.2e18 ? .max : value <= -9.2e18 ? .min : Int(value)
        }
        dropped.append(path + key.stringValue)
        return nil
    }

    func lenient<T: Decodable>(_ type: T.Type, _ key: Key, dropped: inout [String], path: String = "") -> T? {
        guard contains(key), (try? decodeNil(forKey: key)) == false else { return nil }
        do {
            return try decode(type, forKey: key)
        } catch {
            dropped.append(path + key.stringValue)
            return nil
        }
    }
}

/// One element of a list that is kept when it can be read and left out when it cannot, so
/// that one bad entry does not lose the whole list.
struct Readable<Value: Decodable>: Decodable {
    let value: Value?

    init(from decoder: any Decoder) throws {
        value = try? Value(from: decoder)
    }
}

extension KeyedDecodingContainer {
    /// A list kept entry by entry: an unreadable entry is left out and named (`containers[2]`).
    func lenientList<T: Decodable>(_ type: T.Type, _ key: Key, dropped: inout [String], path: String = "") -> [T]? {
        guard let entries = lenient([Readable<T>].self, key, dropped: &dropped, path: path) else { return nil }
        for (index, entry) in entries.enumerated() where entry.value == nil {
            dropped.append("\(path)\(key.stringValue)[\(index)]")
        }
        return entries.compactMap(\.value)
    }
}

extension KeyedDecodingContainer {
    // The same, where nothing shows what was left out (a workload, an event).

    func lenientInt(_ key: Key) -> Int? {
        var ignored: [String] = []
        return lenientInt(key, dropped: &ignored)
    }

    func lenient<T: Decodable>(_ type: T.Type, _ key: Key) -> T? {
        var ignored: [String] = []
        return lenient(type, key, dropped: &ignored)
    }

    func lenientList<T: Decodable>(_ type: T.Type, _ key: Key) -> [T]? {
        var ignored: [String] = []
        return lenientList(type, key, dropped: &ignored)
    }
}
