/// One phase of the RTO beside the bound the cluster's configuration puts on it.
public struct PhaseBudget: Codable, Sendable, Equatable {
    /// `detection`, `promotion`, `routing`, `client` (DESIGN §6 phases), or `restart` for a restart in place.
    public var phase: String
    /// The phase's own duration, µs: from the latest earlier phase reached (t0 for the first) to this one,
    /// never negative (HAProxy can route to the new primary before the monitor's SQL poll sees it writable).
    /// Nil: the phase was not observed, or this is an expectation without a run (`check`).
    public var measured: Int64?
    /// When the phase was reached, µs after t0.
    public var reachedAt: Int64?
    /// The longest the configuration lets the phase take, µs; nil where no setting bounds it.
    public var bound: Int64?
    /// How the bound follows from the settings, in their own names: `ttl 20 s + loop_wait 1 s`.
    public var rule: String
    /// The setting that makes up most of the bound (`ttl`), for the dominant-setting sentence.
    public var setting: String?
    /// Whether the configuration bounds this phase (only those are judged; the client's reconnect is the
    /// application's, not the cluster's).
    public var judged: Bool

    public init(phase: String, measured: Int64? = nil, reachedAt: Int64? = nil, bound: Int64?, rule: String, setting: String? = nil,
                judged: Bool = true) {
        self.phase = phase
        self.measured = measured
        self.reachedAt = reachedAt
        self.bound = bound
        self.rule = rule
        self.setting = setting
        self.judged = judged
    }

    /// The phase took longer than its configuration allows: something other than the settings is slow.
    public var exceeded: Bool {
        guard judged, let measured, let bound else { return false }
        return measured > bound
    }
}
