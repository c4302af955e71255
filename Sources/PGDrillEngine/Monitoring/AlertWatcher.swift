import Dispatch
import Foundation
import PGDrillCore
import PGDrillModel
import Synchronization

/// Polls Prometheus (and Alertmanager) on a thread of its own for the whole drill and keeps, for every alert in
/// the cluster's scope, when it went pending, fired, reached Alertmanager and went away — and when the
/// monitoring did not answer. An alert named in `abortOn` reaching firing calls `onAbort` once, from this
/// thread, at the poll that first saw it.
final class AlertWatcher: @unchecked Sendable {
    // @unchecked Sendable: mutable state is inside `state` (a Mutex); the rest are `let`s.
    private let api: AlertAPI
    private let clock: RunClock
    private let interval: TimeInterval
    private let abortOn: Set<String>
    private let onAbort: @Sendable (String) -> Void
    private let wake = DispatchSemaphore(value: 0)
    private let state: Mutex<State>
    private let done = DispatchSemaphore(value: 0)

    private struct State {
        var report: AlertsReport
        /// Instance key → index in `report.instances` while the alert is present.
        var present: [String: Int] = [:]
        var stopped = false
        var aborted = false
        var open: [String: Int] = [:]
    }

    init(api: AlertAPI, clock: RunClock, interval: TimeInterval = 0.5, abortOn: [String], rules: [String: Int64]?,
         onAbort: @escaping @Sendable (String) -> Void) {
        self.api = api
        self.clock = clock
        self.interval = interval
        self.abortOn = Set(abortOn)
        self.onAbort = onAbort
        var report = AlertsReport(prometheus: api.settings.prometheus.absoluteString, alertmanager: api.settings.alertmanager?.absoluteString,
                                  matchers: api.settings.matcherLabels,
                                  pollInterval: Int64(interval * 1e6), watchedFrom: clock.now())
        report.rules = rules
        state = Mutex(State(report: report))
    }

    func start() {
        let thread = Thread { [self] in
            while !state.withLock({ $0.stopped }) {
                poll()
                _ = wake.wait(timeout: .now() + interval)
            }
            done.signal()
        }
        thread.name = "pgdrill-alerts"
        thread.start()
    }

    /// Stops polling (after one last poll, so the end state is seen) and returns what was watched.
    func stop() -> AlertsReport {
        let already = state.withLock { s -> Bool in
            defer { s.stopped = true }
            return s.stopped
        }
        if !already {
            wake.signal()
            _ = done.wait(timeout: .now() + 10)
            poll()
            backfill()
        }
        return state.withLock { s in
            var r = s.report
            r.watchedUntil = r.watchedUntil ?? clock.now()
            return r
        }
    }

    /// The report so far.
    var report: AlertsReport { state.withLock { $0.report } }

    func setSilence(_ silence: SilenceRecord) { state.withLock { $0.report.silence = silence } }

    func poll() {
        let prometheus: Result<[AlertAPI.PrometheusAlert], Error> = Result { try api.alerts() }
        let managed: Result<[AlertAPI.ManagedAlert], Error>? = api.settings.alertmanager == nil ? nil : Result { try api.managedAlerts() }
        let now = clock.now()
        // Prometheus' wall clock → run clock, through this moment's offset (an NTP slew since the epoch is absorbed).
        let wallOffset = clock.wallNowMicros() - now
        var abort: String?
        state.withLock { s in
            s.report.polls += 1
            switch prometheus {
            case .failure(let error):
                s.report.failedPolls += 1
                outage(&s, api: "Prometheus", now: now, error: error)
            case .success(let alerts):
                recovered(&s, api: "Prometheus", now: now)
                var seen: Set<String> = []
                for a in alerts {
                    let key = Self.key(a.name, a.labels)
                    seen.insert(key)
                    let index: Int
                    if let i = s.present[key] {
                        index = i
                    } else {
                        let pending = a.activeAt.map { Int64($0.timeIntervalSince1970 * 1e6) - wallOffset }
                        s.report.instances.append(AlertInstance(name: a.name, labels: a.labels, pendingAt: pending))
                        index = s.report.instances.count - 1
                        s.present[key] = index
                    }
                    if a.state == "firing", s.report.instances[index].firingAt == nil {
                        s.report.instances[index].firingAt = now
                        if abortOn.contains(a.name), !s.aborted {
                            s.aborted = true
                            abort = "abort_if: alert \(a.name) firing" + (a.labels["node"].map { " (node \($0))" } ?? "")
                        }
                    }
                }
                for (key, index) in s.present where !seen.contains(key) {
                    s.report.instances[index].resolvedAt = now
                    s.present[key] = nil
                }
            }
            switch managed {
            case .failure(let error)?:
                outage(&s, api: "Alertmanager", now: now, error: error)
            case .success(let alerts)?:
                recovered(&s, api: "Alertmanager", now: now)
                let silence = s.report.silence?.id
                for index in s.present.values where s.report.instances[index].alertmanagerAt == nil {
                    let instance = s.report.instances[index]
                    guard let m = alerts.first(where: { Self.matches($0, instance) }) else { continue }
                    s.report.instances[index].alertmanagerAt = now
                    s.report.instances[index].alertmanagerState = m.state
                    s.report.instances[index].silencedByDrill = silence.map { m.silencedBy.contains($0) }
                }
            case nil:
                break
            }
        }
        if let abort { onAbort(abort) }
    }

    /// Fills each stretch Prometheus did not answer from its own history: an alert that fired while pgdrill
    /// could not ask is added (or its firing moved to the first evaluation that fired), and the outage is marked
    /// as seen through. One that cannot be filled stays dark in the report.
    func backfill() {
        let wallOffset = clock.wallNowMicros() - clock.now()
        let outages = state.withLock { s in s.report.outages.enumerated().filter { $0.element.api == "Prometheus" && $0.element.to != nil } }
        for (index, outage) in outages {
            // One evaluation either side: a firing that began as the link went down is seen whole.
            let from = Date(timeIntervalSince1970: Double(outage.from + wallOffset) / 1e6 - 2)
            let to = Date(timeIntervalSince1970: Double(outage.to! + wallOffset) / 1e6 + 1)
            guard let history = try? api.firingHistory(from: from, to: to) else { continue }
            state.withLock { s in
                for h in history {
                    let first = Int64(h.first.timeIntervalSince1970 * 1e6) - wallOffset
                    if let i = s.report.instances.lastIndex(where: { $0.name == h.name && $0.labels == h.labels && ($0.resolvedAt ?? .max) >= first }) {
                        if (s.report.instances[i].firingAt ?? .max) > first { s.report.instances[i].firingAt = first }
                    } else {
                        var instance = AlertInstance(name: h.name, labels: h.labels, firingAt: first)
                        let last = Int64(h.last.timeIntervalSince1970 * 1e6) - wallOffset
                        if last < outage.to! { instance.resolvedAt = last + Int64(interval * 1e6) }
                        s.report.instances.append(instance)
                    }
                }
                s.report.outages[index].seenThrough = true
            }
        }
    }

    private func outage(_ s: inout State, api: String, now: Int64, error: Error) {
        guard s.open[api] == nil else { return }
        s.report.outages.append(MonitoringOutage(api: api, from: now, error: "\(error)"))
        s.open[api] = s.report.outages.count - 1
    }

    private func recovered(_ s: inout State, api: String, now: Int64) {
        guard let i = s.open.removeValue(forKey: api) else { return }
        s.report.outages[i].to = now
    }

    /// An Alertmanager alert is a Prometheus one when it has its name and every one of its labels (Alertmanager
    /// adds the external labels).
    static func matches(_ m: AlertAPI.ManagedAlert, _ i: AlertInstance) -> Bool {
        m.labels["alertname"] == i.name && i.labels.allSatisfy { m.labels[$0.key] == $0.value }
    }

    static func key(_ name: String, _ labels: [String: String]) -> String {
        name + "{" + labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",") + "}"
    }
}
