/// The RPO: how much time's worth of acknowledged writes the new primary does not have.
///
/// RPO = 0 when nothing acknowledged was lost. Otherwise it runs from the ack of the last surviving
/// write acknowledged strictly before the first lost one (ties: a surviving write acknowledged in
/// the same µs as the first lost one is not "before" it) to the ack of the last lost write. When
/// no write survived before the first lost one, it runs from that lost write's *start* instead, so
/// a single lost write never shows as an RPO of 0. Acks of all write endpoints are ordered together:
/// data loss is about the database, not the path.
public struct RecoveryPoint: Codable, Sendable, Equatable {
    /// RPO in µs.
    public var rpo: Int64
    public var lostWrites: Int
    /// Ack of the last surviving write before the first lost one, µs on the run clock.
    public var lastSurvivingAck: Int64?
    /// Ack of the first and last lost write, µs on the run clock.
    public var firstLostAck: Int64?
    public var lastLostAck: Int64?

    public init(rpo: Int64, lostWrites: Int, lastSurvivingAck: Int64?, firstLostAck: Int64?, lastLostAck: Int64?) {
        self.rpo = rpo
        self.lostWrites = lostWrites
        self.lastSurvivingAck = lastSurvivingAck
        self.firstLostAck = firstLostAck
        self.lastLostAck = lastLostAck
    }
}
