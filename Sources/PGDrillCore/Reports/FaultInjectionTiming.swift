/// How fast the drill's first fault landed, from the moment the runner decided to inject it.
///
/// `decisionToEffect` uses the node's own clock (the fault script stamps it right after the signal or
/// rule took effect) and is kept only when that clock agrees with the runner's (the effect falls inside
/// the command's round trip); otherwise only the upper bound `decisionToReturn` is known.
public struct FaultInjectionTiming: Codable, Sendable, Equatable {
    /// The host the first fault ran on.
    public var host: String?
    /// Decision → the fault in effect on the node (node clock), µs; nil when not measurable.
    public var decisionToEffect: Int64?
    /// Decision → the command was sent (role resolution, journal fsync), µs.
    public var decisionToSent: Int64
    /// Decision → the command returned to the runner, µs: an upper bound on `decisionToEffect`.
    public var decisionToReturn: Int64

    public init(host: String?, decisionToEffect: Int64?, decisionToSent: Int64, decisionToReturn: Int64) {
        self.host = host
        self.decisionToEffect = decisionToEffect
        self.decisionToSent = decisionToSent
        self.decisionToReturn = decisionToReturn
    }

    /// The figure a report leads with: the measured effect latency, else its upper bound.
    public var latency: Int64 { decisionToEffect ?? decisionToReturn }
}
