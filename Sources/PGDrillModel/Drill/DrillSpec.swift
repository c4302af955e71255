/// One drill, as read from a drill file: what fault to inject, how to observe and recover, and what
/// the cluster is expected to achieve. Cluster-independent; `validate(against:)` ties it to a cluster.
public struct DrillSpec: Sendable, Hashable {
    /// `[a-z0-9-]` name; names the drill's report folder and JUnit test case.
    public var name: String
    /// What the drill checks and what the cluster should do (the report's scenario text).
    public var description: String
    /// Whether the drill harms availability (protected clusters refuse it); `true` by default.
    public var isDestructive: Bool
    public var preflight: PreflightChecks
    public var probe: ProbeSettings
    /// Baseline with the probe running before the fault; 5s by default.
    public var steady: DrillDuration
    /// At least one step, run in order.
    public var fault: [FaultStep]
    public var observe: ObserveSettings
    public var recover: RecoverSettings
    /// How long the probe keeps running after recovery; 5s by default.
    public var cooldown: DrillDuration
    public var expect: Expectations
    public var abortIf: AbortConditions
    /// An on-call drill: the cluster handed over to a person after the fault (nil: fully automatic).
    public var manual: ManualSettings?
    /// The drill file as the user named it.
    public var file: String
    /// Where the drill's `name` is, for errors about the drill as a whole.
    public var mark: SourceMark?

    public init(name: String, description: String, isDestructive: Bool = true, preflight: PreflightChecks = .init(),
                probe: ProbeSettings = .init(), steady: DrillDuration = .seconds(5), fault: [FaultStep],
                observe: ObserveSettings, recover: RecoverSettings = .init(), cooldown: DrillDuration = .seconds(5),
                expect: Expectations = .init(), abortIf: AbortConditions = .init(), file: String = "<drill>",
                mark: SourceMark? = nil) {
        self.name = name
        self.description = description
        self.isDestructive = isDestructive
        self.preflight = preflight
        self.probe = probe
        self.steady = steady
        self.fault = fault
        self.observe = observe
        self.recover = recover
        self.cooldown = cooldown
        self.expect = expect
        self.abortIf = abortIf
        self.file = file
        self.mark = mark
    }
}
