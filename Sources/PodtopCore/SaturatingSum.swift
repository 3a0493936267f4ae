extension FixedWidthInteger {
    /// `self + other` held at the type's edge instead of trapping: counts and sizes that come
    /// from outside (restarts, replicas, nanocores) may be any 64-bit number.
    public func saturatingAdd(_ other: Self) -> Self {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : sum
    }
}

extension Sequence {
    /// The sum of counts that come from outside, held at `Int.max` or `Int.min`.
    public func saturatingSum(_ value: (Element) -> Int) -> Int {
        reduce(0) { total, element in total.saturatingAdd(value(element)) }
    }
}
