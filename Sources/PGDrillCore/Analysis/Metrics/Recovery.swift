/// How long the endpoint took to recover from the fault: the RTO and how it was decided.
///
/// RTO = from t0 to the first acknowledgement after the outage that begins the first period of
/// `stableFor` with only ok attempts (the ack, not the attempt's start: an attempt started during a
/// crash may be held by a proxy until the server is back, and the application waited for it). A
/// candidate period starts at the first ok attempt that *started* at or after the end of an outage
/// that ended after t0, and is stable when no non-ok attempt starts before `stableFor` has passed,
/// the candidate starts no later than the end of observation, and attempts were recorded until at
/// least its end (stability may be confirmed by attempts recorded after observation ended).
public struct Recovery: Codable, Sendable, Equatable {
    /// How the RTO was decided.
    public enum Status: String, Codable, Sendable {
        /// No attempt failed after t0: RTO 0.
        case noOutage = "no_outage"
        /// A stable period was found: RTO = first ack of it − t0 (`stableFrom` is its first attempt's start).
        case recovered
        /// No stable period began before observation ended: RTO unknown.
        case notRecovered = "not_recovered"
    }

    public var status: Status
    /// RTO in µs; 0 with `.noOutage`, nil with `.notRecovered`.
    public var rto: Int64?
    /// Start of the stable period, µs on the run clock.
    public var stableFrom: Int64?

    public init(status: Status, rto: Int64?, stableFrom: Int64?) {
        self.status = status
        self.rto = rto
        self.stableFrom = stableFrom
    }

    /// "no outage observed" / "not recovered within observation", or nil when recovered.
    public var remark: String? {
        switch status {
        case .noOutage: "no outage observed"
        case .notRecovered: "not recovered within observation"
        case .recovered: nil
        }
    }
}
