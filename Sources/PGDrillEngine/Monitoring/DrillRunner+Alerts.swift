import Foundation
import PGDrillCore
import PGDrillModel

/// The monitoring's part of a drill: the alerts watched from pre-flight to the end, the silence that keeps a
/// scheduled drill from paging anyone, the wait for the expected alerts to resolve, and `abort_if.alert`.
extension DrillRunner {
    /// How long pre-flight waits for an alert the drill names, firing from an earlier drill, to resolve.
    static let alertSettleSeconds: Double = 30

    /// Pre-flight for the monitoring, after the cluster is known healthy: reachable, no alert the drill names
    /// already firing, the silence in place; then the watcher starts. Nil when the drill may go on.
    func alertPreflight(_ s: Session) -> String? {
        let plan = s.record.plan
        guard let monitoring = cluster.monitoring else {
            guard plan.watchesAlerts else { return nil }
            return "the drill judges alerts (expect.alerts or abort_if.alert in \(plan.file)), but the cluster file has no `monitoring:` section: "
                + "add monitoring: { prometheus: URL, alertmanager: URL, matchers: { cluster: NAME } }, or remove the alert expectations"
        }
        let api = AlertAPI(settings: monitoring.settings, access: monitoring.access)
        let needed = plan.watchesAlerts || monitoring.settings.silence
        var rules: [String: Int64]?
        do {
            rules = try api.rules()
            _ = try api.managedAlerts()
        } catch {
            if needed {
                return "the monitoring does not answer (\(error)); the drill \(plan.watchesAlerts ? "judges alerts" : "must hold an Alertmanager silence (monitoring.silence)")"
                    + ", so nothing is injected. Check monitoring.prometheus/alertmanager and their credentials, then `pgdrill check`"
            }
            s.record.notes.append("alerts not watched: the monitoring did not answer at pre-flight (\(error))")
            progress.warn("[\(plan.name)] alerts not watched: \(error)")
            return nil
        }
        let named = Set(plan.expect.alerts?.names ?? []).union(plan.abortAlerts)
        for name in named where rules?[name] == nil {
            progress.warn("[\(plan.name)] the Prometheus has no alerting rule named \(name): the drill expects it, so it will fail on it")
        }
        let settled = waitForNamedAlertsToClear(api, named: named, plan: plan)
        if let refusal = settled.refusal { return refusal }
        let watcher = AlertWatcher(api: api, clock: s.record.clock, abortOn: plan.abortAlerts, rules: rules) { [trap] reason in
            trap.abortDrill(reason)
        }
        s.alerts = watcher
        if monitoring.settings.silence, let refusal = createSilence(s, api: api, settings: monitoring.settings) { return refusal }
        watcher.start()
        if !settled.firing.isEmpty {
            let list = settled.firing.map(\.title).joined(separator: ", ")
            s.record.notes.append("alerts already firing at pre-flight (not named by the drill): \(list)")
            progress.warn("[\(plan.name)] already firing (not named by the drill): \(list)")
        }
        return nil
    }

    /// An alert the drill expects, forbids or stops on must not be firing before the fault: its firing would
    /// not be the drill's. One left by an earlier drill gets `alertSettleSeconds` to resolve. Either a refusal,
    /// or the in-scope alerts firing at the last look (none of them named by the drill), for the report's note.
    func waitForNamedAlertsToClear(_ api: AlertAPI, named: Set<String>, plan: DrillPlan) -> (refusal: String?, firing: [AlertAPI.PrometheusAlert]) {
        let start = Date()
        while true {
            let firing: [AlertAPI.PrometheusAlert]
            do {
                firing = try api.alerts().filter { $0.state == "firing" }
            } catch {
                return ("the monitoring stopped answering at pre-flight (\(error)); nothing injected", [])
            }
            let blocking = firing.filter { named.contains($0.name) }
            if blocking.isEmpty {
                progress.endStatus()
                return (nil, firing)
            }
            let list = blocking.map(\.title).joined(separator: ", ")
            let waited = Date().timeIntervalSince(start)
            if waited >= Self.alertSettleSeconds || trap.interrupted {
                progress.endStatus()
                return ("alert(s) the drill names are firing already: \(list) (scope \(api.settings.scopeDescription)); their firing during the drill would not be the fault's. "
                    + "Resolve what they report (pgdrill check lists them), then run the drill again", firing)
            }
            progress.status("[\(plan.name)] waiting for \(list) to resolve before the drill (\(Int(waited)) s of \(Int(Self.alertSettleSeconds)) s)")
            Thread.sleep(forTimeInterval: 1)
        }
    }

    /// The drill's silence over the cluster's matchers: journalled first (by a token in its comment), created,
    /// bounded by the drill's longest possible duration plus ten minutes so it lapses even if nothing expires it.
    func createSilence(_ s: Session, api: AlertAPI, settings: MonitoringSettings) -> String? {
        let plan = s.record.plan
        guard let alertmanager = settings.alertmanager else { return nil }
        let silence = AlertSilence(alertmanager: alertmanager, token: AlertSilence.tokenPrefix + "\(probeRunID)-\(UUID().uuidString.prefix(8))")
        let longest = plan.steadyMicros + plan.steps.reduce(0) { $0 + ($1.holdMicros ?? 0) } + plan.observeTimeoutMicros
            + plan.recoverTimeoutMicros + plan.cooldownMicros + (plan.expect.alerts?.resolveWithin?.microseconds ?? 0) + 600_000_000
        let endsAt = Date().addingTimeInterval(Double(longest) / 1e6)
        var record = SilenceRecord(matchers: settings.matcherLabels,
                                   endsAt: AlertAPI.format(endsAt))
        do {
            let id = try journal.record(runID: runID, drill: plan.name, host: ClusterTarget.internalHostName,
                                        fault: "Alertmanager silence over \(settings.scopeDescription)", rollback: silence.journalText)
            s.silence = (id, silence, nil)
            let silenceID = try api.createSilence(endsAt: endsAt, comment: silence.comment(drill: plan.name, runID: probeRunID))
            s.silence?.id = silenceID
            record.id = silenceID
            record.createdAt = s.record.clock.now()
            s.alerts?.setSilence(record)
            progress.say("[\(plan.name)] Alertmanager silence \(silenceID) over \(settings.scopeDescription) until the drill ends (at the latest \(record.endsAt!))")
            return nil
        } catch {
            record.problem = "could not be created: \(error)"
            s.alerts?.setSilence(record)
            return "the Alertmanager silence (monitoring.silence) could not be created: \(error); without it the drill would page on-call, so nothing is injected"
        }
    }

    /// After recovery: waits (at most `resolve_within`) until every expected alert that fired has resolved.
    func awaitAlertsResolved(_ s: Session) {
        guard let watcher = s.alerts, let expect = s.record.plan.expect.alerts, let within = expect.resolveWithin,
              let t0 = s.record.t0, let recovered = s.record.recoverEnd else { return }
        let names = Set(expect.fire.map(\.name))
        let clock = s.record.clock
        while !trap.interrupted {
            let open = watcher.report.instances.filter { names.contains($0.name) && ($0.firingAt ?? .min) >= t0 && $0.resolvedAt == nil }
            let waited = clock.now() - recovered
            if open.isEmpty || waited > within.microseconds { break }
            progress.status("[\(s.record.plan.name)] waiting for \(open.map(\.name).joined(separator: ", ")) to resolve (+\(Self.seconds(waited)) after recovery, resolve_within \(within))")
            Thread.sleep(forTimeInterval: 0.25)
        }
        progress.endStatus()
    }

    /// Stops watching and expires the drill's silence (its journal entry done), whatever the drill's outcome.
    func endAlerts(_ s: Session) {
        guard let watcher = s.alerts else { return }
        var report = watcher.stop()
        if let silence = s.silence {
            do {
                try silence.rollback.expire(silence.rollback.api(cluster.monitoring))
                try journal.mark(silence.journalID, .done)
                report.silence?.expiredAt = s.record.clock.now()
            } catch {
                try? journal.mark(silence.journalID, .failed, error: "\(error)")
                report.silence?.problem = "NOT expired by pgdrill (\(error)); `pgdrill recover` expires it, or it lapses by itself"
                s.record.notes.append("the Alertmanager silence could not be expired (\(error)): run `pgdrill recover --cluster …`")
                progress.warn("[\(s.record.plan.name)] the Alertmanager silence could not be expired: \(error); run `pgdrill recover --cluster …`")
            }
            s.silence = nil
        }
        s.record.alerts = report
        s.alerts = nil
    }
}
