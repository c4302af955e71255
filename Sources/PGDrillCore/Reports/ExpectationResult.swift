/// One `expect:` line of a drill checked against the measurement, in words a reader can check:
/// `rto: measured 72.1 s, target < 60s`.
public struct ExpectationResult: Codable, Sendable, Equatable {
    /// Metric name as in the drill file (`rto`, `rpo`, `lost_writes`, `error_rate`, `split_brain`).
    public var metric: String
    /// The target as written in the drill file (`< 60s`).
    public var target: String
    /// The measured value, formatted (`72.1 s`, `not recovered within observation`).
    public var measured: String
    public var passed: Bool
    /// How it was measured or why it failed, when that helps.
    public var detail: String?

    public init(metric: String, target: String, measured: String, passed: Bool, detail: String? = nil) {
        self.metric = metric
        self.target = target
        self.measured = measured
        self.passed = passed
        self.detail = detail
    }
}
