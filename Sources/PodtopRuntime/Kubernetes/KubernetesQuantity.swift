import Foundation

/// A Kubernetes resource quantity ("250m", "2274433n", "18924Ki", "1.5Gi", "1e3"), held exactly:
/// a decimal for the number and the suffix's power, so that "128M" and "128Mi" differ by what
/// they differ by and a nanocore count is not rounded through a Double.
///
/// The grammar is the API server's:
/// `[+-]? (digits[.digits*] | .digits) (Ki|Mi|Gi|Ti|Pi|Ei | n|u|m|k|M|G|T|P|E | [eE][+-]?digits)?`,
/// suffixes case-sensitive.
public struct KubernetesQuantity: Equatable, Sendable, CustomStringConvertible {
    public let value: Decimal
    public let text: String

    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        var index = 0
        var negative = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        let numberStart = index
        var integerDigits = 0, fractionDigits = 0, sawPoint = false
        while index < bytes.count {
            let byte = bytes[index]
            if Self.isDigit(byte) {
                if sawPoint { fractionDigits += 1 } else { integerDigits += 1 }
            } else if byte == UInt8(ascii: "."), !sawPoint {
                sawPoint = true
            } else {
                break
            }
            index += 1
        }
        // "5." is a number, ".5" is, "." is not.
        guard integerDigits > 0 || fractionDigits > 0,
              let number = Decimal(string: String(decoding: bytes[numberStart..<index], as: UTF8.self), locale: Locale(identifier: "en_US_POSIX"))
        else { return nil }
        guard let scale = Self.scale(ofSuffix: bytes[index...]),
              let value = Self.product(negative ? -number : number, scale) else { return nil }
        self.value = value
        self.text = text
    }

    public var description: String { text }

    /// ⌈value × 10⁹⌉, as the API server rounds a scaled value (CPU in nanocores).
    public var nanoUnits: Int64? { Self.product(value, 1_000_000_000).flatMap(Self.ceiling) }
    /// ⌈value × 10³⌉ (CPU in millicores).
    public var milliUnits: Int64? { Self.product(value, 1000).flatMap(Self.ceiling) }
    /// ⌈value⌉ (memory in bytes).
    public var units: Int64? { Self.ceiling(value) }

    private static func ceiling(_ decimal: Decimal) -> Int64? {
        var input = decimal, rounded = Decimal()
        NSDecimalRound(&rounded, &input, 0, .up)
        guard rounded.magnitude <= Decimal(Int64.max) else { return nil }
        return NSDecimalNumber(decimal: rounded).int64Value
    }

    /// `a × b`, or nil when it is far past any figure podtop shows (10^90), or 0 when far below
    /// (10^-90). Decimal traps on a product out of its range (10^±128), through `*` and
    /// `NSDecimalMultiply` alike, and a quantity from the API can ask for one ("1E-79" of a
    /// number with 127 decimals): the check is made on Doubles first, which cannot trap.
    private static func product(_ a: Decimal, _ b: Decimal) -> Decimal? {
        let estimate = NSDecimalNumber(decimal: a).doubleValue * NSDecimalNumber(decimal: b).doubleValue
        guard estimate.isFinite, estimate.magnitude < 1e90 else { return nil }
        if estimate.magnitude < 1e-90 { return 0 }
        return a * b
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// The suffixes' powers: binary, then decimal.
    private static let suffixScales: [String: Decimal] = [
        "": 1, "Ki": power(2, 10), "Mi": power(2, 20), "Gi": power(2, 30), "Ti": power(2, 40), "Pi": power(2, 50), "Ei": power(2, 60),
        "n": power(10, -9), "u": power(10, -6), "m": power(10, -3), "k": power(10, 3),
        "M": power(10, 6), "G": power(10, 9), "T": power(10, 12), "P": power(10, 15), "E": power(10, 18),
    ]

    private static func scale(ofSuffix suffix: ArraySlice<UInt8>) -> Decimal? {
        if let scale = suffixScales[String(decoding: suffix, as: UTF8.self)] { return scale }
        // An exponent: e or E, an optional sign, digits.
        guard let first = suffix.first, first == UInt8(ascii: "e") || first == UInt8(ascii: "E") else { return nil }
        var rest = suffix.dropFirst()
        var negative = false
        if let sign = rest.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            negative = sign == UInt8(ascii: "-")
            rest = rest.dropFirst()
        }
        guard !rest.isEmpty, rest.count <= 3, rest.allSatisfy(isDigit),
              let exponent = Int(String(decoding: rest, as: UTF8.self)) else { return nil }
        return power(10, negative ? -exponent : exponent)
    }

    private static func power(_ base: Int, _ exponent: Int) -> Decimal {
        if exponent >= 0 { return pow(Decimal(base), exponent) }
        return 1 / pow(Decimal(base), -exponent)
    }
}
