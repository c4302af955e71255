/// `wait: 5s` — a pause between fault steps (the probe keeps running) — or
/// `wait: { until: writes_failing, timeout: 60s }` — hold the drill until a condition holds, so a fault whose
/// effect builds up (a disk that fills, a lag that grows) is held until it really bites before the next step.
public struct WaitStep: Sendable, Hashable {
    /// The fixed pause, or the bound on waiting for `until`.
    public var duration: DrillDuration
    /// Conditions that end the wait early; empty for a fixed pause.
    public var until: [ObserveCondition]
    public var mark: SourceMark

    public init(duration: DrillDuration, until: [ObserveCondition] = [], mark: SourceMark) {
        self.duration = duration
        self.until = until
        self.mark = mark
    }
}
