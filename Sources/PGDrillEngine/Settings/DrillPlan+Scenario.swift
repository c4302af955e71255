import PGDrillCore

extension DrillPlan {
    /// Which chain of failover timeouts the drill's first fault sets off on a cluster run by `manager`, for the
    /// RTO budget; nil for faults no setting bounds (a full disk, a frozen process, packet loss, a restore).
    public func failureScenario(manager: String) -> FailureScenario? {
        let managerProcess = manager == "repmgr" ? "repmgrd" : "patroni"
        for step in steps {
            switch step.action {
            case .wait, .waitUntil:
                continue
            case .kill(let processes, _, on: .primary):
                // The manager alone: PostgreSQL goes on serving, and whether the lease runs out depends on how
                // long the manager stays down — no chain the settings alone decide.
                guard processes.contains("postgres") else { return nil }
                if processes.contains(managerProcess) { return .primaryLost }
                // repmgr restarts nothing: a dead postmaster is a lost primary to repmgrd.
                return manager == "repmgr" ? .primaryLost : .primaryRestartInPlace
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
