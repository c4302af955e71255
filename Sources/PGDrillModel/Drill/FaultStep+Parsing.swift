import Yams
import Foundation

extension FaultStep {
    /// Reads one item of `fault:`, which must be a one-key mapping `- ACTION: {params}` (or `- wait: 5s`).
    static func parse(_ item: Field, file: String) throws(DrillFileError) -> FaultStep {
        let example = "- kill: { process: postgres, on: primary }"
        guard case .mapping(let mapping) = item.node, let (actionNode, params) = mapping.first,
              case .scalar(let actionScalar) = actionNode
        else {
            throw DrillFileError(.wrongType, file: file, at: item.mark,
                                 message: "a fault step must be a one-key mapping '- ACTION: {params}', got \(item.node.kindName)",
                                 hint: "write it like \(example)")
        }
        let action = actionScalar.string
        let mark = actionNode.sourceMark ?? SourceMark(line: 0, column: 0)
        if action == "wait" {
            guard mapping.count == 1 else {
                throw DrillFileError(.wrongType, file: file, at: mapping.dropFirst().first?.key.sourceMark,
                                     message: "a fault step must be a one-key mapping; 'wait' takes a duration or { until, timeout }",
                                     hint: "write it like - wait: 5s")
            }
            let field = Field(key: action, node: params, file: file, keyMark: mark)
            if case .mapping = params {
                let map = try field.mapping(allowed: ["until", "timeout"], example: "{ until: writes_failing, timeout: 60s }")
                let until = try map.required("until", example: "until: writes_failing").conditions()
                let timeout = try map.required("timeout", example: "timeout: 60s").duration(in: .milliseconds(1)...(.seconds(3600)))
                return .wait(WaitStep(duration: timeout, until: until, mark: mark))
            }
            return .wait(WaitStep(duration: try field.duration(in: .milliseconds(1)...(.seconds(3600))), mark: mark))
        }
        guard let parser = parsers[action] else {
            let suggestion = Suggestion.closest(to: action, among: actions).map { " (did you mean '\($0)'?)" } ?? ""
            throw DrillFileError(.unknownAction, file: file, at: mark,
                                 message: "unknown fault action '\(action)'\(suggestion)",
                                 hint: "valid actions are \(Suggestion.list(actions))")
        }
        guard mapping.count == 1 else {
            let extra = mapping.dropFirst().first!.key
            let extraName = extra.string ?? "?"
            let misindented = parser.keys.contains(extraName)
            throw DrillFileError(.wrongType, file: file, at: extra.sourceMark,
                                 message: "a fault step must be a one-key mapping '- ACTION: {params}'; this one also has '\(extraName)'",
                                 hint: misindented
                                     ? "'\(extraName)' is a parameter of '\(action)': indent it under '\(action):' or write \(action): { \(extraName): ... }"
                                     : "start each step with its own '- '")
        }
        let reader = try MappingReader(params, file: file, context: "fault step '\(action)'",
                                       allowed: parser.keys + ["for"], example: "{ \(parser.keys.prefix(2).map { "\($0): ..." }.joined(separator: ", ")) }",
                                       keyMark: mark)
        let rollbackAfter = try reader["for"]?.duration(in: .milliseconds(1)...DrillDuration.maximum)
        return try parser.parse(StepFields(reader: reader, mark: mark, rollbackAfter: rollbackAfter))
    }

    /// What each action's parser gets: its parameters, where the step is, and the common `for:`.
    struct StepFields {
        let reader: MappingReader
        let mark: SourceMark
        let rollbackAfter: DrillDuration?

        /// The required `on:` target.
        func target() throws(DrillFileError) -> Target {
            try reader.required("on", example: "on: primary").value()
        }

        /// A target that must be one database node (not a proxy, not all nodes).
        func singleNodeTarget(_ key: String = "on", purpose: String) throws(DrillFileError) -> Target {
            let field = try reader.required(key, example: "\(key): primary")
            let target: Target = try field.value()
            guard target.isSingleDatabaseNode else {
                throw field.error(.invalidValue, "must be one database node \(purpose), got '\(target)'",
                                  hint: "use primary, sync_standby, async_standby, replica or node:NAME")
            }
            return target
        }

        /// `process:` as one name or a list, without repeats.
        func processes() throws(DrillFileError) -> [ClusterComponent] {
            var processes: [ClusterComponent] = []
            for item in try reader.required("process", example: "process: postgres").oneOrMany() {
                let process: ClusterComponent = try item.choice()
                guard !processes.contains(process) else {
                    throw item.error(.duplicateName, "lists '\(process)' twice")
                }
                processes.append(process)
            }
            return processes
        }
    }

    private typealias Parser = (keys: [String], parse: @Sendable (StepFields) throws(DrillFileError) -> FaultStep)

    /// Each action's parameter names (besides `for`) and how to read them.
    private static let parsers: [String: Parser] = [
        "kill": (["process", "on", "signal"], { s throws(DrillFileError) in
            .kill(KillStep(processes: try s.processes(), target: try s.target(),
                           signal: try s.reader["signal"]?.value() ?? .kill, rollbackAfter: s.rollbackAfter, mark: s.mark))
        }),
        "stop": (["service", "on"], { s throws(DrillFileError) in .stop(try serviceStep(s)) }),
        "start": (["service", "on"], { s throws(DrillFileError) in .start(try serviceStep(s)) }),
        "partition": (["on", "from"], { s throws(DrillFileError) in
            .partition(PartitionStep(target: try s.target(), scope: try s.reader["from"]?.choice() ?? .all,
                                     rollbackAfter: s.rollbackAfter, mark: s.mark))
        }),
        "fill_disk": (["on", "path", "size", "until", "leave"], { s throws(DrillFileError) in .fillDisk(try fillDiskStep(s)) }),
        "wal_burst": (["on", "size"], { s throws(DrillFileError) in
            .walBurst(WALBurstStep(target: try s.singleNodeTarget(purpose: "(WAL is generated with SQL on it)"),
                                   size: try positiveSize(s.reader.required("size", example: "size: 64MB")),
                                   rollbackAfter: s.rollbackAfter, mark: s.mark))
        }),
        "pause": (["process", "on"], { s throws(DrillFileError) in
            .pause(PauseStep(processes: try s.processes(), target: try s.target(), rollbackAfter: s.rollbackAfter, mark: s.mark))
        }),
        "loss": (["on", "percent"], { s throws(DrillFileError) in
            let field = try s.reader.required("percent", example: "percent: 30%")
            let percent: Percentage = try field.value()
            guard percent > .zero else { throw field.error(.invalidValue, "must be more than 0%") }
            return .loss(LossStep(target: try s.target(), percent: percent, rollbackAfter: s.rollbackAfter, mark: s.mark))
        }),
        "latency": (["on", "delay"], { s throws(DrillFileError) in
            .latency(LatencyStep(target: try s.target(),
                                 delay: try s.reader.required("delay", example: "delay: 100ms").duration(in: .milliseconds(1)...(.seconds(60))),
                                 rollbackAfter: s.rollbackAfter, mark: s.mark))
        }),
        "switchover": (["to"], { s throws(DrillFileError) in .switchover(try leaderChangeStep(s)) }),
        "failover": (["to"], { s throws(DrillFileError) in .failover(try leaderChangeStep(s)) }),
        "shell": (["on", "command", "rollback", "no_rollback"], { s throws(DrillFileError) in .shell(try shellStep(s)) }),
        "restore": (["target", "before_disaster", "timeout"], { s throws(DrillFileError) in .restore(try restoreStep(s)) }),
        "region_failover": (["promote_after", "replication_cut_before", "timeout"], { s throws(DrillFileError) in
            if s.rollbackAfter != nil {
                throw DrillFileError(.conflict, file: s.reader.file, at: s.mark,
                                     message: "'region_failover' takes no 'for:': its rollback is a failback after observation",
                                     hint: "remove 'for:'; the drill's observe and recover settings bound it")
            }
            return .regionFailover(RegionFailoverStep(
                promoteAfter: try s.reader["promote_after"]?.duration(in: .zero...(.seconds(3600))) ?? .seconds(5),
                replicationCutBefore: try s.reader["replication_cut_before"]?.duration(in: .zero...(.seconds(3600))) ?? .zero,
                timeout: try s.reader["timeout"]?.duration(in: .seconds(1)...(.seconds(3600))) ?? .seconds(60),
                mark: s.mark))
        }),
    ]

    private static func restoreStep(_ s: StepFields) throws(DrillFileError) -> RestoreStep {
        let targetField = s.reader["target"]
        let kind = try targetField?.scalar(expecting: "latest or time") ?? "latest"
        let before = s.reader["before_disaster"]
        let target: RestoreStep.RecoveryTarget
        switch kind {
        case "latest":
            if let before { throw before.error(.conflict, "applies to 'target: time' only") }
            target = .latest
        case "time":
            let field = try s.reader.required("before_disaster", example: "before_disaster: 2s")
            target = .time(beforeDisaster: try field.duration(in: .milliseconds(1)...(.seconds(86_400))))
        default:
            throw targetField!.error(.invalidValue, "must be 'latest' or 'time', got \(ValueParseError.quoted(kind))")
        }
        return RestoreStep(target: target,
                           timeout: try s.reader["timeout"]?.duration(in: .seconds(1)...(.seconds(86_400))) ?? .seconds(600),
                           rollbackAfter: s.rollbackAfter, mark: s.mark)
    }

    private static func serviceStep(_ s: StepFields) throws(DrillFileError) -> ServiceStep {
        ServiceStep(service: try s.reader.required("service", example: "service: patroni").choice(),
                    target: try s.target(), rollbackAfter: s.rollbackAfter, mark: s.mark)
    }

    private static func positiveSize(_ field: Field) throws(DrillFileError) -> ByteSize {
        let size: ByteSize = try field.value()
        guard size > .zero else { throw field.error(.invalidValue, "must be more than 0B") }
        return size
    }

    private static func fillDiskStep(_ s: StepFields) throws(DrillFileError) -> FillDiskStep {
        let pathField = try s.reader.required("path", example: "path: pg_wal")
        let location: FillDiskStep.Location
        switch try pathField.scalar(expecting: "pg_wal, data or a directory") {
        case "pg_wal": location = .walDirectory
        case "data": location = .dataDirectory
        case let path:
            if let problem = RemotePath.problem(with: path) {
                throw pathField.error(.invalidValue, "must be pg_wal, data or an absolute directory, but \(ValueParseError.quoted(path)) \(problem)",
                                      hint: "for example: path: pg_wal, or path: /var/lib/postgresql/scratch")
            }
            location = .path(path)
        }
        let target = try s.target()
        if case .proxy = target, location == .walDirectory || location == .dataDirectory {
            throw DrillFileError(.conflict, file: s.reader.file, at: s.mark,
                                 message: "fill_disk of '\(location)' needs a database node, but 'on' is '\(target)'")
        }
        let amount: FillDiskStep.Amount
        switch (s.reader["size"], s.reader["until"]) {
        case (let size?, nil):
            if let leave = s.reader["leave"] {
                throw leave.error(.conflict, "only applies with 'until: full', not with 'size'")
            }
            amount = .size(try positiveSize(size))
        case (nil, let until?):
            guard try until.scalar() == "full" else {
                throw until.error(.invalidValue, "must be 'full', got \(ValueParseError.quoted(try until.scalar()))")
            }
            amount = .untilFull(leave: try s.reader["leave"]?.value() ?? .zero)
        case (let size?, _?):
            throw size.error(.conflict, "and 'until' cannot both be given", hint: "fill a fixed size, or until the disk is full")
        case (nil, nil):
            throw DrillFileError(.missingKey, file: s.reader.file, at: s.reader.mark,
                                 message: "fault step 'fill_disk' needs 'size' or 'until: full'",
                                 hint: "for example: fill_disk: { on: primary, path: pg_wal, until: full, leave: 40MB }")
        }
        return FillDiskStep(target: target, location: location, amount: amount, rollbackAfter: s.rollbackAfter, mark: s.mark)
    }

    private static func leaderChangeStep(_ s: StepFields) throws(DrillFileError) -> LeaderChangeStep {
        var candidate: Target?
        if s.reader["to"] != nil {
            candidate = try s.singleNodeTarget("to", purpose: "to become the new primary")
            if candidate == .primary {
                throw s.reader["to"]!.error(.invalidValue, "must name a standby; the primary is already primary")
            }
        }
        return LeaderChangeStep(candidate: candidate, rollbackAfter: s.rollbackAfter, mark: s.mark)
    }

    private static func shellStep(_ s: StepFields) throws(DrillFileError) -> ShellStep {
        let noRollback = try s.reader["no_rollback"]?.bool() ?? false
        guard let rollbackField = s.reader["rollback"] else {
            throw DrillFileError(.missingKey, file: s.reader.file, at: s.reader.mark,
                                 message: "missing required key 'rollback' in fault step 'shell'",
                                 hint: "give the command that undoes it; if nothing needs undoing write rollback: \"\" and no_rollback: true")
        }
        let rollback = rollbackField.node.isNull ? "" : try rollbackField.scalar().trimmingCharacters(in: .whitespacesAndNewlines)
        switch (rollback.isEmpty, noRollback) {
        case (true, false):
            throw rollbackField.error(.invalidValue, "is empty, so nothing would undo this command",
                                      hint: "give the undo command, or add no_rollback: true to say that none is needed")
        case (false, true):
            throw rollbackField.error(.conflict, "is given, but 'no_rollback' is true", hint: "remove one of them")
        default:
            break
        }
        return ShellStep(target: try s.target(), command: try s.reader.required("command", example: "command: \"...\"").text(),
                         rollback: noRollback ? nil : rollback, rollbackAfter: s.rollbackAfter, mark: s.mark)
    }
}
