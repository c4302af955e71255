/// The union of the time intervals of failed and indeterminate attempts, kept as sorted, disjoint
/// components with the number of each kind of attempt they absorbed.
///
/// Attempts arrive roughly in the order they ended (the probe records an attempt when it ends), so
/// a new interval almost always lands at the end of the array; any order still gives the exact
/// union. Memory grows with the number of disjoint components, not with the number of attempts.
struct IntervalUnion {
    struct Component: Equatable {
        var start: Int64
        var end: Int64
        var failed: Int
        var indeterminate: Int
    }

    private(set) var components: [Component] = []

    /// Adds the closed interval [start, end] of one non-ok attempt; intervals that touch merge.
    mutating func insert(start: Int64, end: Int64, indeterminate: Bool) {
        let end = max(start, end)
        let new = Component(start: start, end: end, failed: indeterminate ? 0 : 1, indeterminate: indeterminate ? 1 : 0)
        guard let last = components.last, start <= last.end else {
            components.append(new)
            return
        }
        // First component that ends at or after `start` (ends are sorted since components are disjoint).
        let first = partitionPoint { $0.end < start }
        // First component that starts after `end`.
        var past = first
        while past < components.count, components[past].start <= end { past += 1 }
        guard first < past else {
            components.insert(new, at: first)
            return
        }
        var merged = new
        for c in components[first..<past] {
            merged.start = min(merged.start, c.start)
            merged.end = max(merged.end, c.end)
            merged.failed += c.failed
            merged.indeterminate += c.indeterminate
        }
        components.replaceSubrange(first..<past, with: [merged])
    }

    /// Index of the last component whose end is ≤ `t`, or nil when every component ends after `t`.
    func lastEnding(atOrBefore t: Int64) -> Int? {
        let i = partitionPoint { $0.end <= t }
        return i == 0 ? nil : i - 1
    }

    /// Index of the gap that contains `t` strictly (after component i's end, before i+1's start).
    func gap(containing t: Int64) -> Int? {
        guard let i = lastEnding(atOrBefore: t), components[i].end < t, i + 1 < components.count,
              t < components[i + 1].start else { return nil }
        return i
    }

    /// First index for which `isBefore` is false (binary search; `isBefore` must be monotone).
    private func partitionPoint(_ isBefore: (Component) -> Bool) -> Int {
        var low = 0
        var high = components.count
        while low < high {
            let mid = (low + high) / 2
            if isBefore(components[mid]) { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
