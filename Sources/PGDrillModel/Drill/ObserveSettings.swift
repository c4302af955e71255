/// When observation after the fault ends: all `until` conditions hold for `stableFor`, or `timeout` passes.
public struct ObserveSettings: Sendable, Hashable {
    public var until: [ObserveCondition]
    /// 120s by default.
    public var timeout: DrillDuration
    /// How long the conditions must keep holding; 5s by default.
    public var stableFor: DrillDuration

    public init(until: [ObserveCondition], timeout: DrillDuration = .seconds(120), stableFor: DrillDuration = .seconds(5)) {
        self.until = until
        self.timeout = timeout
        self.stableFor = stableFor
    }
}

/// When recovery after the rollbacks ends: `until` holds (healthy by default), or `timeout` passes.
public struct RecoverSettings: Sendable, Hashable {
    public var until: [ObserveCondition]
    /// 180s by default: a rejoin with pg_rewind takes a while.
    public var timeout: DrillDuration

    public init(until: [ObserveCondition] = [.healthy], timeout: DrillDuration = .seconds(180)) {
        self.until = until
        self.timeout = timeout
    }
}
