extension DrillSpec {
    static let keys = [
        "name", "description", "destructive", "preflight", "probe", "steady", "fault", "observe", "recover",
        "cooldown", "expect", "abort_if", "manual",
    ]

    /// Reads and validates a composed drill file (everything that can be checked without a cluster).
    init(document: YAMLDocument) throws(DrillFileError) {
        let file = document.file
        let root = try MappingReader(document.root, file: file, context: "drill", allowed: Self.keys,
                                     example: "name: primary-node-down\ndescription: ...\nfault: [...]")
        let nameField = try root.required("name", example: "name: primary-node-down")
        let name = try nameField.drillName()
        let observe = try ObserveSettings(root.required("observe", example: "observe: { until: [new_primary, writes_ok], timeout: 120s }"))
        let expect = try root["expect"].map(Expectations.init) ?? Expectations()
        if expect.failover == true, observe.until.contains(.samePrimary) {
            throw root["expect"]!.error(.conflict, "says failover: true, but observe waits for same_primary")
        }
        if expect.failover == false, observe.until.contains(.newPrimary) {
            throw root["expect"]!.error(.conflict, "says failover: false, but observe waits for new_primary")
        }
        let fault = try Self.parseFault(root.required("fault", example: "fault: [{ kill: { process: postgres, on: primary } }]"))
        if expect.aboutRestore, !fault.contains(where: { $0.action == "restore" }) {
            throw root["expect"]!.error(.conflict, "has restore_rto / restore_rpo / restore_lost_writes, but no fault step is a restore",
                                        hint: "add a `- restore: { target: latest }` step, or use rto / rpo / lost_writes for the live cluster")
        }
        self.init(
            name: name,
            description: try root.required("description", example: "description: what the drill checks and what the cluster should do").text(),
            isDestructive: try root["destructive"]?.bool() ?? true,
            preflight: try root["preflight"].map(PreflightChecks.init) ?? PreflightChecks(),
            probe: try root["probe"].map(ProbeSettings.init) ?? ProbeSettings(),
            steady: try root["steady"]?.duration(in: .zero...(.seconds(3600))) ?? .seconds(5),
            fault: fault,
            observe: observe,
            recover: try root["recover"].map(RecoverSettings.init) ?? RecoverSettings(),
            cooldown: try root["cooldown"]?.duration(in: .zero...(.seconds(3600))) ?? .seconds(5),
            expect: expect,
            abortIf: try root["abort_if"].map(AbortConditions.init) ?? AbortConditions(),
            file: file,
            mark: nameField.keyMark
        )
        manual = try root["manual"].map(ManualSettings.init)
        if manual != nil, let timeout = (try? root["observe"]?.mapping(allowed: nil))?["timeout"] {
            throw timeout.error(.conflict, "is replaced by manual.deadline in an on-call drill",
                                hint: "remove observe.timeout; manual: { deadline: 10m } bounds the handover")
        }
    }

    private static func parseFault(_ field: Field) throws(DrillFileError) -> [FaultStep] {
        let items = try field.list(example: "fault:\n  - kill: { process: postgres, on: primary }")
        var steps: [FaultStep] = []
        for item in items {
            steps.append(try FaultStep.parse(item, file: field.file))
        }
        guard steps.contains(where: { $0.action != "wait" }) else {
            throw field.error(.invalidValue, "must have at least one step that is not 'wait'",
                              hint: "for example: - kill: { process: postgres, on: primary }")
        }
        return steps
    }
}

extension PreflightChecks {
    init(_ field: Field) throws(DrillFileError) {
        let map = try field.mapping(allowed: ["healthy", "max_lag", "min_replicas", "require_sync", "backup_max_age"],
                                    example: "{ healthy: true, max_lag: 1MB }")
        // `healthy: false` was accepted and ignored: a drill file must never say something pgdrill does not do.
        if let field = map["healthy"], try field.bool() == false {
            throw field.error(.notAllowed, "is false, but pgdrill never injects a fault into an unhealthy cluster (pre-flight refuses it)",
                              hint: "remove 'healthy: false'; relax max_lag, min_replicas or require_sync instead")
        }
        self.init(requireHealthy: try map["healthy"]?.bool() ?? true,
                  maxLag: try map["max_lag"]?.value() ?? .mebibytes(1),
                  minReplicas: try map["min_replicas"]?.int(in: 0...64) ?? 2,
                  requireSync: try map["require_sync"]?.bool() ?? true,
                  backupMaxAge: try map["backup_max_age"]?.duration(in: .seconds(1)...(.seconds(366 * 86_400))))
    }
}

extension ProbeSettings {
    init(_ field: Field) throws(DrillFileError) {
        let map = try field.mapping(allowed: ["endpoint", "writers", "rate", "also", "deadline"],
                                    example: "{ endpoint: write, writers: 4 }")
        let endpointField = map["endpoint"]
        self.init(endpoint: try endpointField?.resourceName() ?? "write",
                  writers: try map["writers"]?.int(in: 1...256) ?? 4,
                  rate: try map["rate"]?.int(in: 0...1_000_000) ?? 0,
                  deadline: try map["deadline"]?.duration(in: .milliseconds(100)...(.seconds(30))) ?? .seconds(2))
        endpointMarks[endpoint] = endpointField?.mark ?? map.mark
        for item in try map["also"]?.oneOrMany() ?? [] {
            let name = try item.resourceName()
            guard name != endpoint, !also.contains(name) else {
                throw item.error(.duplicateName, "lists endpoint '\(name)' twice (the main endpoint counts too)")
            }
            also.append(name)
            endpointMarks[name] = item.mark
        }
    }
}

extension ObserveSettings {
    init(_ field: Field) throws(DrillFileError) {
        let map = try field.mapping(allowed: ["until", "timeout", "stable_for"],
                                    example: "{ until: [new_primary, writes_ok], timeout: 120s, stable_for: 5s }")
        let untilField = try map.required("until", example: "until: [new_primary, writes_ok]")
        self.init(until: try untilField.conditions(),
                  timeout: try map["timeout"]?.duration(in: .seconds(1)...DrillDuration.maximum) ?? .seconds(120),
                  stableFor: try map["stable_for"]?.duration(in: .zero...(.seconds(3600))) ?? .seconds(5))
        guard stableFor < timeout else {
            // Either may be the default; blame the one the file states (stable_for when it states both).
            if let stableForField = map["stable_for"] {
                throw stableForField.error(.conflict, "(\(stableFor)) must be shorter than the timeout (\(timeout))")
            }
            throw map["timeout"]!.error(.conflict, "(\(timeout)) must be longer than stable_for (\(stableFor), the default)")
        }
    }
}

extension RecoverSettings {
    init(_ field: Field) throws(DrillFileError) {
        let map = try field.mapping(allowed: ["until", "timeout"], example: "{ until: healthy, timeout: 180s }")
        self.init(until: try map["until"]?.conditions() ?? [.healthy],
                  timeout: try map["timeout"]?.duration(in: .seconds(1)...DrillDuration.maximum) ?? .seconds(180))
    }
}

extension Expectations {
    init(_ field: Field) throws(DrillFileError) {
        let map = try field.mapping(allowed: ["rto", "rpo", "lost_writes", "error_rate", "split_brain", "failover",
                                              "restore_rto", "restore_rpo", "restore_lost_writes", "availability", "alerts"],
                                    example: "{ rto: \"< 60s\", rpo: 0s, lost_writes: 0 }")
        func count(_ key: String) throws(DrillFileError) -> Threshold<Int>? {
            let t: Threshold<Int>? = try map[key]?.value()
            if let t, t.value < 0 { throw map[key]!.error(.invalidValue, "must compare with a count of 0 or more, got '\(t)'") }
            return t
        }
        self.init(rto: try map["rto"]?.value(), rpo: try map["rpo"]?.value(), lostWrites: try count("lost_writes"),
                  errorRate: try map["error_rate"]?.value(), splitBrain: try map["split_brain"]?.choice(),
                  failover: try map["failover"]?.bool())
        restoreRTO = try map["restore_rto"]?.value()
        restoreRPO = try map["restore_rpo"]?.value()
        restoreLostWrites = try count("restore_lost_writes")
        availability = try map["availability"].map(AvailabilityTarget.init)
        alerts = try map["alerts"].map(AlertExpectations.init)
    }
}

extension ManualSettings {
    init(_ field: Field) throws(DrillFileError) {
        let map = try field.mapping(allowed: ["pause_manager", "deadline", "runbook"],
                                    example: "{ pause_manager: true, deadline: 10m, runbook: [{ do: \"patronictl failover\", sees: new_primary }] }")
        var runbook: [RunbookStep] = []
        var seen: Set<OperatorSignal> = []
        for item in try map["runbook"]?.list(example: "runbook: [{ do: \"patronictl resume\", sees: manager_resumed }]") ?? [] {
            let step = try item.mapping(allowed: ["do", "sees"], example: "{ do: \"patronictl failover --candidate NODE\", sees: new_primary }")
            let sees: OperatorSignal? = try step["sees"]?.choice()
            if let sees, !seen.insert(sees).inserted {
                throw step["sees"]!.error(.duplicateName, "names '\(sees)' for a second step: each sign in the cluster matches one step")
            }
            runbook.append(RunbookStep(action: try step.required("do", example: "do: \"patronictl resume\"").text(), sees: sees))
        }
        self.init(pauseManager: try map["pause_manager"]?.bool() ?? false,
                  deadline: try map["deadline"]?.duration(in: .seconds(5)...DrillDuration.maximum) ?? .seconds(900),
                  runbook: runbook)
    }
}

extension AbortConditions {
    init(_ field: Field) throws(DrillFileError) {
        let map = try field.mapping(allowed: ["no_primary_for", "alert"], example: "{ no_primary_for: 5m, alert: PostgreSQLConnectionsHigh }")
        self.init(noPrimaryFor: try map["no_primary_for"]?.duration(in: .seconds(1)...DrillDuration.maximum))
        for item in try map["alert"]?.oneOrMany() ?? [] {
            let name = try AlertExpectations.alertName(item)
            guard !alerts.contains(name) else { throw item.error(.duplicateName, "lists alert '\(name)' twice") }
            alerts.append(name)
        }
    }
}

extension Field {
    /// `until:` as one condition or a list, without repeats or contradictions.
    func conditions() throws(DrillFileError) -> [ObserveCondition] {
        var conditions: [ObserveCondition] = []
        for item in try oneOrMany() {
            let condition: ObserveCondition = try item.choice()
            guard !conditions.contains(condition) else {
                throw item.error(.duplicateName, "lists '\(condition)' twice")
            }
            if let clash = ObserveCondition.contradictions.first(where: {
                ($0.0 == condition && conditions.contains($0.1)) || ($0.1 == condition && conditions.contains($0.0))
            }) {
                throw item.error(.conflict, "asks for both '\(clash.0)' and '\(clash.1)', which can never hold together")
            }
            conditions.append(condition)
        }
        return conditions
    }
}
