/// What one access path of the application (HAProxy, PgBouncer, multi-host, read port) saw during
/// the drill, so the endpoints can be shown side by side.
public struct EndpointMetrics: Codable, Sendable, Equatable {
    /// Endpoint name from the cluster file.
    public var endpoint: String
    /// Every attempt recorded for the endpoint.
    public var attempts: Int
    public var recovery: Recovery
    /// Every outage, in time order, including any before t0 (a baseline problem) and after
    /// observation (caused by the rollback).
    public var outages: [OutagePeriod]
    public var errorRate: ErrorRate
    /// Baseline, during and after, in that order.
    public var periods: [PeriodStatistics]
    /// Acknowledged writes of this endpoint missing on the new primary; nil when not verified (read
    /// endpoints, or no read-back).
    public var lostWrites: Int?

    public init(
        endpoint: String, attempts: Int, recovery: Recovery, outages: [OutagePeriod], errorRate: ErrorRate,
        periods: [PeriodStatistics], lostWrites: Int?
    ) {
        self.endpoint = endpoint
        self.attempts = attempts
        self.recovery = recovery
        self.outages = outages
        self.errorRate = errorRate
        self.periods = periods
        self.lostWrites = lostWrites
    }

    /// Statistics for one period.
    public func statistics(_ period: PeriodStatistics.Period) -> PeriodStatistics? {
        periods.first { $0.period == period }
    }
}
