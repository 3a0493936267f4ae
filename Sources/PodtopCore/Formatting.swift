import Foundation

/// Compact, fixed-width friendly renderings of numbers for narrow columns.
public enum Format {
    /// 512B, 12K, 210M, 1.5G (binary units).
    public static func bytes(_ value: UInt64?) -> String {
        guard let value else { return "–" }
        let units = ["B", "K", "M", "G", "T"]
        var amount = Double(value)
        var unit = 0
        while amount >= 1024, unit < units.count - 1 {
            amount /= 1024
            unit += 1
        }
        if unit == 0 { return "\(value)B" }
        return amount < 10 ? String(format: "%.1f%@", amount, units[unit]) : "\(Int(amount.rounded()))\(units[unit])"
    }

    /// 0.4%, 12%, 180%.
    public static func percent(_ value: Double?) -> String {
        guard let value else { return "–" }
        return value < 10 ? String(format: "%.1f%%", value) : "\(Int(value.rounded()))%"
    }

    /// 3ms, 42ms, 1.2s; "–" when there was no answer.
    public static func milliseconds(_ value: Double?) -> String {
        guard let value else { return "–" }
        if value < 1 { return String(format: "%.1fms", value) }
        if value < 1000 { return "\(Int(value.rounded()))ms" }
        return String(format: "%.1fs", value / 1000)
    }

    /// 45s, 3m12s, 5h04m, 2d03h: two units at most.
    public static func duration(_ seconds: TimeInterval?) -> String {
        guard let seconds, seconds >= 0 else { return "–" }
        let s = Int(seconds)
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m" + twoDigits(s % 60) + "s" }
        if s < 86400 { return "\(s / 3600)h" + twoDigits(s % 3600 / 60) + "m" }
        return "\(s / 86400)d" + twoDigits(s % 86400 / 3600) + "h"
    }

    /// HH:MM:SS at a fixed offset from UTC (seconds); integer arithmetic because the log pane
    /// formats a time for every visible line of every frame.
    public static func clock(_ date: Date, utcOffset: Int) -> String {
        let local = Int(date.timeIntervalSince1970.rounded(.down)) + utcOffset
        let secondOfDay = ((local % 86400) + 86400) % 86400
        return twoDigits(secondOfDay / 3600) + ":" + twoDigits(secondOfDay / 60 % 60) + ":" + twoDigits(secondOfDay % 60)
    }

    private static func twoDigits(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
