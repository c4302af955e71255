import PGDrillCore

extension DrillPlan {
    /// Which chain of failover timeouts the drill's first fault sets off on a cluster run by `manager`, for the
    /// RTO budget; nil for faults no setting bounds (a full disk, a frozen postmaster, packet loss, a restore).
    /// `lease`: the manager's lease in seconds (Patroni's ttl), when known — a manager killed or frozen alone
    /// loses the primary only if it stays down that long.
    public func failureScenario(manager: String, lease: Double? = nil) -> FailureScenario? {
        let managerProcess = manager == "repmgr" ? "repmgrd" : "patroni"
        /// The manager alone, down for `hold` (nil: until the rollback): PostgreSQL goes on serving, and the
        /// primary is lost only once the lease runs out.
        func managerAlone(_ hold: Int64?) -> FailureScenario? {
            guard let hold else { return .primaryLost }
            guard let lease else { return nil }
            return Double(hold) / 1e6 >= lease ? .primaryLost : nil
        }
        for step in steps {
            switch step.action {
            case .wait, .waitUntil:
                continue
            case .kill(let processes, _, on: .primary):
                if processes.contains("postgres") {
                    if processes.contains(managerProcess) { return .primaryLost }
                    // repmgr restarts nothing: a dead postmaster is a lost primary to repmgrd.
                    return manager == "repmgr" ? .primaryLost : .primaryRestartInPlace
                }
                return processes.contains(managerProcess) ? managerAlone(step.holdMicros) : nil
            case .pause(let processes, on: .primary):
                return processes == [managerProcess] ? managerAlone(step.holdMicros) : nil
            case .partition(_, on: .primary):
                return .primaryPartitioned
            case .switchover:
                return .plannedSwitchover
            default:
                return nil
            }
        }
        return nil
    }
}
