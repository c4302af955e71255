/// One step of a drill's `fault:` list, with its typed parameters and where it is in the drill file.
///
/// Steps run in order; each (except `wait`) has an automatic rollback, run `rollbackAfter` after the
/// step when the drill gives `for:`, otherwise after observation.
public enum FaultStep: Sendable, Hashable, CustomStringConvertible {
    case kill(KillStep)
    case stop(ServiceStep)
    case start(ServiceStep)
    case partition(PartitionStep)
    case fillDisk(FillDiskStep)
    case walBurst(WALBurstStep)
    case pause(PauseStep)
    case loss(LossStep)
    case latency(LatencyStep)
    case switchover(LeaderChangeStep)
    case failover(LeaderChangeStep)
    case shell(ShellStep)
    case wait(WaitStep)
    case restore(RestoreStep)
    case regionFailover(RegionFailoverStep)

    /// Action names as written in drill files, in the order hints list them.
    public static let actions = [
        "kill", "stop", "start", "partition", "fill_disk", "wal_burst", "pause", "loss", "latency",
        "switchover", "failover", "shell", "wait", "restore", "region_failover",
    ]

    /// The action name as written in the drill file.
    public var action: String {
        switch self {
        case .kill: "kill"
        case .stop: "stop"
        case .start: "start"
        case .partition: "partition"
        case .fillDisk: "fill_disk"
        case .walBurst: "wal_burst"
        case .pause: "pause"
        case .loss: "loss"
        case .latency: "latency"
        case .switchover: "switchover"
        case .failover: "failover"
        case .shell: "shell"
        case .wait: "wait"
        case .restore: "restore"
        case .regionFailover: "region_failover"
        }
    }

    /// The step's typed parameters.
    public var parameters: any FaultStepParameters {
        switch self {
        case .kill(let step): step
        case .stop(let step), .start(let step): step
        case .partition(let step): step
        case .fillDisk(let step): step
        case .walBurst(let step): step
        case .pause(let step): step
        case .loss(let step): step
        case .latency(let step): step
        case .switchover(let step), .failover(let step): step
        case .shell(let step): step
        case .wait(let step): step
        case .restore(let step): step
        case .regionFailover(let step): step
        }
    }

    /// Where the step's action key is in the drill file.
    public var mark: SourceMark { parameters.mark }

    /// The step's `for:`: roll it back this long after it was applied.
    public var rollbackAfter: DrillDuration? { parameters.rollbackAfter }

    /// The host or role the step acts on (`nil` for `wait`, `switchover` and `failover`).
    public var target: Target? {
        switch self {
        case .kill(let step): step.target
        case .stop(let step), .start(let step): step.target
        case .partition(let step): step.target
        case .fillDisk(let step): step.target
        case .walBurst(let step): step.target
        case .pause(let step): step.target
        case .loss(let step): step.target
        case .latency(let step): step.target
        case .shell(let step): step.target
        case .switchover, .failover, .wait, .restore, .regionFailover: nil
        }
    }

    /// One line for plans and reports: `kill patroni, postgres on primary (KILL)`. Never includes shell text.
    public var description: String {
        var text: String
        switch self {
        case .kill(let step): text = "kill \(step.processes.map(\.rawValue).joined(separator: ", ")) on \(step.target) (\(step.signal))"
        case .stop(let step): text = "stop \(step.service) on \(step.target)"
        case .start(let step): text = "start \(step.service) on \(step.target)"
        case .partition(let step): text = "partition \(step.target) from \(step.scope)"
        case .fillDisk(let step): text = "fill_disk \(step.location) on \(step.target): \(step.amount)"
        case .walBurst(let step): text = "wal_burst \(step.size) on \(step.target)"
        case .pause(let step): text = "pause \(step.processes.map(\.rawValue).joined(separator: ", ")) on \(step.target)"
        case .loss(let step): text = "loss \(step.percent) on \(step.target)"
        case .latency(let step): text = "latency \(step.delay) on \(step.target)"
        case .switchover(let step): text = "switchover" + (step.candidate.map { " to \($0)" } ?? "")
        case .failover(let step): text = "failover" + (step.candidate.map { " to \($0)" } ?? "")
        case .shell(let step): text = "shell on \(step.target)"
        case .restore(let step):
            switch step.target {
            case .latest: text = "restore the latest backup and all archived WAL onto a scratch host"
            case .time(let before): text = "restore the latest backup onto a scratch host, to \(before) before the disaster moment"
            }
        case .regionFailover(let step):
            text = (step.replicationCutBefore > .zero ? "stop replication to the standby region, \(step.replicationCutBefore) later " : "")
                + "cut the primary region off and promote the standby cluster \(step.promoteAfter) later"
        case .wait(let step): text = step.until.isEmpty ? "wait \(step.duration)" : "wait until \(step.until.map(\.rawValue).joined(separator: " and ")) (timeout \(step.duration))"
        }
        if let rollbackAfter {
            text += " for \(rollbackAfter)"
        }
        return text
    }
}

/// What the parameters of every fault step have: where the step is written and its `for:`.
public protocol FaultStepParameters: Sendable, Hashable {
    /// Where the step's action key is in the drill file.
    var mark: SourceMark { get }
    /// Roll the step back this long after it was applied, rather than after observation.
    var rollbackAfter: DrillDuration? { get }
}

extension KillStep: FaultStepParameters {}
extension ServiceStep: FaultStepParameters {}
extension PartitionStep: FaultStepParameters {}
extension FillDiskStep: FaultStepParameters {}
extension WALBurstStep: FaultStepParameters {}
extension PauseStep: FaultStepParameters {}
extension LossStep: FaultStepParameters {}
extension LatencyStep: FaultStepParameters {}
extension LeaderChangeStep: FaultStepParameters {}
extension ShellStep: FaultStepParameters {}
extension RestoreStep: FaultStepParameters {}
extension RegionFailoverStep: FaultStepParameters {}
extension WaitStep: FaultStepParameters {
    /// A wait has nothing to roll back.
    public var rollbackAfter: DrillDuration? { nil }
}
