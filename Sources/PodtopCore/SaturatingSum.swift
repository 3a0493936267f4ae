extension Sequence {
    /// The sum of counts that come from outside (restarts, replicas), held at `Int.max` or
    /// `Int.min` instead of trapping: a daemon may report any 64-bit number.
    public func saturatingSum(_ value: (Element) -> Int) -> Int {
        reduce(0) { total, element in
            let next = value(element)
            let (sum, overflow) = total.addingReportingOverflow(next)
            return overflow ? (next > 0 ? .max : .min) : sum
        }
    }
}
