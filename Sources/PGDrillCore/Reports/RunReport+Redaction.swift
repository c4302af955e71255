extension RunReport {
    /// A copy with every free-text field passed through `redactor`: what the JSON report encodes,
    /// so a secret is masked before it is serialised rather than searched for afterwards.
    public func redacted(by redactor: Redactor) -> RunReport {
        var copy = self
        copy.runId = redactor.redact(runId)
        copy.cluster = redactor.redact(cluster)
        copy.drills = drills.map { $0.redacted(by: redactor) }
        return copy
    }
}

extension DrillReport {
    /// A copy with every free-text field passed through `redactor`.
    public func redacted(by r: Redactor) -> DrillReport {
        var copy = self
        copy.name = r.redact(name)
        copy.description = r.redact(description)
        copy.scenario = r.redact(scenario)
        copy.whatHappened = r.redact(whatHappened)
        copy.expectations = expectations.map { e in
            var e = e
            e.metric = r.redact(e.metric)
            e.target = r.redact(e.target)
            e.measured = r.redact(e.measured)
            e.detail = e.detail.map(r.redact)
            return e
        }
        copy.events = events.map { e in
            var e = e
            e.detail = e.detail.map(r.redact)
            return e
        }
        copy.clusterBefore = clusterBefore.map { $0.redacted(by: r) }
        copy.clusterAfter = clusterAfter.map { $0.redacted(by: r) }
        copy.probeLog = probeLog.map(r.redact)
        copy.monitorSources = monitorSources.map { sources in
            sources.map { var m = $0; m.lastError = m.lastError.map(r.redact); return m }
        }
        copy.stages = stages.map { s in
            var s = s
            s.name = r.redact(s.name)
            return s
        }
        copy.errors = r.redact(errors)
        copy.notes = r.redact(notes)
        return copy
    }
}

extension ClusterSnapshot {
    /// A copy with host and state text passed through `redactor` (a host may be written as a URI).
    public func redacted(by r: Redactor) -> ClusterSnapshot {
        var copy = self
        copy.members = members.map { m in
            var m = m
            m.host = r.redact(m.host)
            m.state = State(r.redact(m.state.rawValue))
            m.role = Role(r.redact(m.role.rawValue))
            return m
        }
        return copy
    }
}
