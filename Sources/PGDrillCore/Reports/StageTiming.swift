/// When one stage of a drill ran (preflight, steady, fault, observe, recover, verify), µs on the
/// run clock, so a report shows where the drill's time went.
public struct StageTiming: Codable, Sendable, Equatable {
    public var name: String
    public var start: Int64
    public var end: Int64

    public init(name: String, start: Int64, end: Int64) {
        self.name = name
        self.start = start
        self.end = end
    }

    public var duration: Int64 { end - start }
}
