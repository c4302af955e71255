extension TimelineSVG {
    /// The timeline's counts gathered while the analysis reads the probe log, so the chart costs no pass of
    /// its own over a log of millions of rows (reading the log is most of a report's time).
    /// One drill's, used by one thread (the report's).
    public final class Gathered {
        fileprivate private(set) var bins: TimelineBins

        public init(maxBuckets: Int = TimelineSVG.defaultMaxBuckets) {
            bins = TimelineBins(maxBuckets: maxBuckets)
        }

        public func add(_ attempt: ProbeAttempt) {
            bins.add(attempt)
        }

        /// `attempts`, with every attempt of its *first* pass also counted here: hand this to a reader
        /// that makes several passes (the analysis makes two) and each attempt is counted once.
        public func tapping<Attempts: Sequence>(_ attempts: Attempts) -> Tap<Attempts> where Attempts.Element == ProbeAttempt {
            Tap(base: attempts, gathered: self)
        }

        /// A multi-pass sequence that feeds its first pass to `Gathered`.
        public struct Tap<Base: Sequence>: Sequence where Base.Element == ProbeAttempt {
            let base: Base
            let gathered: Gathered
            private let passes = Passes()

            init(base: Base, gathered: Gathered) {
                self.base = base
                self.gathered = gathered
            }

            public func makeIterator() -> Iterator {
                Iterator(base: base.makeIterator(), gathered: passes.begin() == 0 ? gathered : nil)
            }

            public struct Iterator: IteratorProtocol {
                var base: Base.Iterator
                let gathered: Gathered?

                public mutating func next() -> ProbeAttempt? {
                    guard let a = base.next() else { return nil }
                    gathered?.add(a)
                    return a
                }
            }
        }

        private final class Passes {
            private var count = 0
            /// The number of passes begun before this one.
            func begin() -> Int {
                defer { count += 1 }
                return count
            }
        }
    }

    /// The SVG document for `drill` from counts gathered during the analysis.
    public func render(drill: DrillReport, gathered: Gathered) -> String {
        TimelineChart(drill: drill, bins: gathered.bins, redactor: redactor).document()
    }
}
