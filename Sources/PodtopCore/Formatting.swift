import Foundation

/// Compact, fixed-width friendly renderings of numbers for narrow columns.
public enum Format {
    /// 512B, 12K, 210M, 1.5G (binary units); at most five characters up to 2^64.
    public static func bytes(_ value: UInt64?) -> String {
        guard let value else { return "–" }
        let units = ["B", "K", "M", "G", "T", "P", "E"]
        var amount = Double(value)
        var unit = 0
        while amount >= 1024, unit < units.count - 1 {
            amount /= 1024
            unit += 1
        }
        if unit == 0 { return "\(value)B" }
        // 1023.6 rounds to 1024: say 1.0 of the next unit rather than five digits.
        if amount.rounded() >= 1024, unit < units.count - 1 { return "1.0\(units[unit + 1])" }
        return amount < 10 ? String(format: "%.1f%@", amount, units[unit]) : "\(Int(amount.rounded()))\(units[unit])"
    }

    /// 7, 1000, 99999, then 123k, 1.2M, 12M, 9.2E (and "<0" below -9999): at most five
    /// characters whatever the count.
    public static func count(_ value: Int) -> String {
        guard value >= 100_000 || value <= -10_000 else { return "\(value)" }
        guard value > 0 else { return "<0" }
        let units = ["k", "M", "G", "T", "P", "E"]
        var amount = Double(value) / 1000
        var unit = 0
        while amount.rounded() >= 1000, unit < units.count - 1 {
            amount /= 1000
            unit += 1
        }
        return amount < 10 ? String(format: "%.1f%@", amount, units[unit]) : "\(Int(amount.rounded()))\(units[unit])"
    }

    /// 0.4%, 12%, 180%; ">9999%" past that (a hundred busy cores, or a daemon's nonsense).
    public static func percent(_ value: Double?) -> String {
        guard let value, value.isFinite, value >= 0 else { return "–" }
        if value < 10 { return String(format: "%.1f%%", value) }
        return value < 9999.5 ? "\(Int(value.rounded()))%" : ">9999%"
    }

    /// "0.4 req/s", "12.3 req/s", "840 req/s", "12k req/s"; "–" when there is no figure.
    public static func requestRate(_ value: Double?) -> String {
        guard let value, value.isFinite, value >= 0 else { return "– req/s" }
        if value < 99.95 { return String(format: "%.1f req/s", value) }
        return "\(count(value < 9.2e18 ? Int(value.rounded()) : .max)) req/s"
    }

    /// 3ms, 42ms, 1.2s, 120s; ">999s" past that; "–" when there was no answer.
    public static func milliseconds(_ value: Double?) -> String {
        guard let value, value.isFinite, value >= 0 else { return "–" }
        if value < 1 { return String(format: "%.1fms", value) }
        if value < 999.5 { return "\(Int(value.rounded()))ms" }
        if value < 99_950 { return String(format: "%.1fs", value / 1000) }
        return value < 999_500 ? "\(Int((value / 1000).rounded()))s" : ">999s"
    }

    /// 45s, 3m12s, 5h04m, 2d03h: two units at most; ">9999d" past that.
    public static func duration(_ seconds: TimeInterval?) -> String {
        guard let seconds, seconds.isFinite, seconds >= 0 else { return "–" }
        guard seconds < 10_000 * 86400 else { return ">9999d" }
        let s = Int(seconds)
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m" + twoDigits(s % 60) + "s" }
        if s < 86400 { return "\(s / 3600)h" + twoDigits(s % 3600 / 60) + "m" }
        return "\(s / 86400)d" + twoDigits(s % 86400 / 3600) + "h"
    }

    /// HH:MM:SS at a fixed offset from UTC (seconds); integer arithmetic because the log pane
    /// formats a time for every visible line of every frame.
    public static func clock(_ date: Date, utcOffset: Int) -> String {
        let seconds = date.timeIntervalSince1970
        // Any date a log line can carry fits; a hostile one that does not is no time at all.
        guard seconds.isFinite, abs(seconds) < 1e15 else { return "--:--:--" }
        let local = Int(seconds.rounded(.down)) + utcOffset
        let secondOfDay = ((local % 86400) + 86400) % 86400
        return twoDigits(secondOfDay / 3600) + ":" + twoDigits(secondOfDay / 60 % 60) + ":" + twoDigits(secondOfDay % 60)
    }

    private static func twoDigits(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
