/// `wait: 5s`: a pause between fault steps (the probe keeps running).
public struct WaitStep: Sendable, Hashable {
    public var duration: DrillDuration
    public var mark: SourceMark

    public init(duration: DrillDuration, mark: SourceMark) {
        self.duration = duration
        self.mark = mark
    }
}
