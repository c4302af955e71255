import Testing
@testable import PGDrillModel

/// A drill file from lines; lines 1–5 are the valid skeleton unless a case replaces them.
private func drill(_ lines: String...) -> String {
    lines.joined(separator: "\n") + "\n"
}

private let name = "name: d"
private let about = "description: x"
private let fault = "fault:"
private let kill = "  - kill: { process: postgres, on: primary }"
private let observe = "observe: { until: writes_ok }"

/// Each case is one mistake in an otherwise valid drill, with the exact position and wording expected.
let badDrills: [BadInput] = [
    BadInput("misspelt top-level key", drill(name, about, fault, kill, observe, "stedy: 10s"),
             at: 6, 1, .unknownKey, "unknown key 'stedy' in drill; did you mean 'steady'?", hint: "valid keys here are name, description"),
    BadInput("unknown key without a close match", drill(name, about, fault, kill, observe, "zzz: 1"),
             at: 6, 1, .unknownKey, "unknown key 'zzz' in drill"),
    BadInput("misspelt fault action", drill(name, about, fault, "  - kil: { process: postgres, on: primary }", observe),
             at: 4, 5, .unknownAction, "unknown fault action 'kil' (did you mean 'kill'?)", hint: "valid actions are kill, stop, start"),
    BadInput("writers is a word", drill(name, about, fault, kill, observe, "probe: { writers: four }"),
             at: 6, 19, .invalidValue, "'writers' must be a whole number from 1 to 256, got 'four'"),
    BadInput("writers out of range", drill(name, about, fault, kill, observe, "probe: { writers: 300 }"),
             at: 6, 19, .invalidValue, "'writers' must be a whole number from 1 to 256, got '300'"),
    BadInput("negative rate", drill(name, about, fault, kill, observe, "probe: { rate: -1 }"),
             at: 6, 16, .invalidValue, "'rate' must be a whole number from 0 to 1000000, got '-1'"),
    BadInput("missing name", drill(about, fault, kill, observe),
             at: 1, 1, .missingKey, "missing required key 'name' in drill"),
    BadInput("missing description", drill(name, fault, kill, observe),
             at: 1, 1, .missingKey, "missing required key 'description' in drill"),
    BadInput("missing fault", drill(name, about, observe),
             at: 1, 1, .missingKey, "missing required key 'fault' in drill"),
    BadInput("missing observe", drill(name, about, fault, kill),
             at: 1, 1, .missingKey, "missing required key 'observe' in drill"),
    BadInput("empty description", drill(name, "description: ''", fault, kill, observe),
             at: 2, 14, .invalidValue, "'description' must not be empty"),
    BadInput("upper-case drill name", drill("name: Primary-Down", about, fault, kill, observe),
             at: 1, 7, .invalidValue, "'name' must be lower-case letters, digits and '-'"),
    BadInput("empty fault list", drill(name, about, "fault: []", observe),
             at: 3, 8, .invalidValue, "'fault' must have at least one step that is not 'wait'"),
    BadInput("only waits", drill(name, about, fault, "  - wait: 5s", observe),
             at: 4, 3, .invalidValue, "'fault' must have at least one step that is not 'wait'"),
    BadInput("fault is a mapping", drill(name, about, "fault: { kill: { process: postgres, on: primary } }", observe),
             at: 3, 8, .wrongType, "'fault' must be a list, got a mapping"),
    BadInput("step is a bare word", drill(name, about, fault, "  - kill", observe),
             at: 4, 5, .wrongType, "a fault step must be a one-key mapping '- ACTION: {params}', got a scalar"),
    BadInput("parameters not indented under the action", drill(name, about, fault, "  - kill:", "    process: postgres", observe),
             at: 5, 5, .wrongType, "this one also has 'process'", hint: "indent it under 'kill:'"),
    BadInput("action without parameters", drill(name, about, fault, "  - kill:", observe),
             at: 4, 5, .wrongType, "fault step 'kill' must be a mapping of keys to values, got nothing"),
    BadInput("misspelt process", drill(name, about, fault, "  - kill: { process: postgress, on: primary }", observe),
             at: 4, 22, .invalidValue, "'process' must be one of postgres, patroni, repmgrd, etcd, pgbouncer and haproxy, got 'postgress' (did you mean 'postgres'?)"),
    BadInput("repeated process", drill(name, about, fault, "  - kill: { process: [postgres, postgres], on: primary }", observe),
             at: 4, 33, .duplicateName, "'process' lists 'postgres' twice"),
    BadInput("misspelt signal", drill(name, about, fault, "  - kill: { process: postgres, on: primary, signal: KIL }", observe),
             at: 4, 53, .invalidValue, "'signal' must be a signal name or number, got 'KIL' (did you mean 'KILL'?)"),
    BadInput("signal number out of range", drill(name, about, fault, "  - kill: { process: postgres, on: primary, signal: 99 }", observe),
             at: 4, 53, .invalidValue, "'signal' must be a signal number from 1 to 64, got '99'"),
    BadInput("misspelt target", drill(name, about, fault, "  - kill: { process: postgres, on: primry }", observe),
             at: 4, 36, .invalidValue, "'on' must be a target, got 'primry' (did you mean 'primary'?)"),
    BadInput("invalid node name in target", drill(name, about, fault, "  - kill: { process: postgres, on: node:PG1 }", observe),
             at: 4, 36, .invalidValue, "'on' names an invalid host 'PG1'"),
    BadInput("missing target", drill(name, about, fault, "  - kill: { process: postgres }", observe),
             at: 4, 11, .missingKey, "missing required key 'on' in fault step 'kill'"),
    BadInput("step 'for' of zero", drill(name, about, fault, "  - kill: { process: postgres, on: primary, for: 0s }", observe),
             at: 4, 50, .invalidValue, "'for' must be from 1ms to 24h, got 0s"),
    BadInput("wait without a unit", drill(name, about, fault, "  - wait: 5", kill, observe),
             at: 4, 11, .invalidValue, "'wait' needs a unit, got '5'", hint: "write 5s"),
    BadInput("steady is a word", drill(name, about, fault, kill, observe, "steady: ten"),
             at: 6, 9, .invalidValue, "'steady' must be a duration like 500ms, 10s, 1.5s, 5m or 1h, got 'ten'"),
    BadInput("steady without a unit", drill(name, about, fault, kill, observe, "steady: 10"),
             at: 6, 9, .invalidValue, "'steady' needs a unit, got '10'", hint: "write 10s"),
    BadInput("negative steady", drill(name, about, fault, kill, observe, "steady: -5s"),
             at: 6, 9, .invalidValue, "'steady' must not be negative, got '-5s'"),
    BadInput("absurd observe timeout", drill(name, about, fault, kill, "observe: { until: writes_ok, timeout: 25h }"),
             at: 5, 39, .invalidValue, "'timeout' is over the 24h limit, got '25h'"),
    BadInput("probe deadline too short", drill(name, about, fault, kill, observe, "probe: { deadline: 50ms }"),
             at: 6, 20, .invalidValue, "'deadline' must be from 100ms to 30s, got 50ms"),
    BadInput("stable_for not shorter than timeout", drill(name, about, fault, kill, "observe: { until: writes_ok, timeout: 5s, stable_for: 5s }"),
             at: 5, 55, .conflict, "'stable_for' (5s) must be shorter than the timeout (5s)"),
    BadInput("timeout not longer than the default stable_for", drill(name, about, fault, kill, "observe: { until: writes_ok, timeout: 3s }"),
             at: 5, 39, .conflict, "'timeout' (3s) must be longer than stable_for (5s, the default)"),
    BadInput("contradictory observe conditions", drill(name, about, fault, kill, "observe: { until: [new_primary, same_primary] }"),
             at: 5, 33, .conflict, "asks for both 'new_primary' and 'same_primary'"),
    BadInput("misspelt observe condition", drill(name, about, fault, kill, "observe: { until: writes_okay }"),
             at: 5, 19, .invalidValue, "got 'writes_okay' (did you mean 'writes_ok'?)"),
    BadInput("expect failover with same_primary", drill(name, about, fault, kill, "observe: { until: same_primary }", "expect: { failover: true }"),
             at: 6, 9, .conflict, "says failover: true, but observe waits for same_primary"),
    BadInput("rto operand is a word", drill(name, about, fault, kill, observe, "expect: { rto: \"< sixty\" }"),
             at: 6, 16, .invalidValue, "'rto' must be a duration like 500ms, 10s, 1.5s, 5m or 1h, got 'sixty'"),
    BadInput("rto with an unknown comparison", drill(name, about, fault, kill, observe, "expect: { rto: \"=< 60s\" }"),
             at: 6, 16, .invalidValue, "'rto' has an unknown comparison in '=< 60s'", hint: "use <, <=, >, >= or =="),
    BadInput("error rate without percent sign", drill(name, about, fault, kill, observe, "expect: { error_rate: \"< 5\" }"),
             at: 6, 23, .invalidValue, "'error_rate' needs a percent sign, got '5'"),
    BadInput("healthy: false is refused, not ignored", drill(name, about, fault, kill, observe, "preflight: { healthy: false }"),
             at: 6, 23, .notAllowed, "'healthy' is false, but pgdrill never injects a fault into an unhealthy cluster"),
    BadInput("restore expectation without a restore step", drill(name, about, fault, kill, observe, "expect: { restore_rto: \"< 60s\" }"),
             at: 6, 9, .conflict, "has restore_rto / restore_rpo / restore_lost_writes, but no fault step is a restore"),
    BadInput("negative restore lost writes", drill(name, about, fault, "  - restore: { target: latest }", observe, "expect: { restore_lost_writes: \"< -1\" }"),
             at: 6, 32, .invalidValue, "'restore_lost_writes' must compare with a count of 0 or more"),
    BadInput("negative lost writes", drill(name, about, fault, kill, observe, "expect: { lost_writes: \"< -1\" }"),
             at: 6, 24, .invalidValue, "'lost_writes' must compare with a count of 0 or more"),
    BadInput("split_brain is not a policy", drill(name, about, fault, kill, observe, "expect: { split_brain: maybe }"),
             at: 6, 24, .invalidValue, "'split_brain' must be one of none, allowed and no_acknowledged_writes, got 'maybe'"),
    BadInput("misspelt availability key", drill(name, about, fault, kill, observe, "expect: { availability: { slo: 99.99%, perod: 30d } }"),
             at: 6, 40, .unknownKey, "unknown key 'perod' in 'availability'; did you mean 'period'?",
             hint: "valid keys here are slo, period and failures_per_period"),
    BadInput("availability without slo", drill(name, about, fault, kill, observe, "expect: { availability: { period: 30d } }"),
             at: 6, 25, .missingKey, "missing required key 'slo' in 'availability'", hint: "slo: 99.99%"),
    BadInput("availability is a scalar", drill(name, about, fault, kill, observe, "expect: { availability: 99.99% }"),
             at: 6, 25, .wrongType, "'availability' must be a mapping of keys to values, got"),
    BadInput("slo of 100%", drill(name, about, fault, kill, observe, "expect: { availability: { slo: 100% } }"),
             at: 6, 32, .invalidValue, "'slo' must be more than 0% and less than 100%, got '100%'", hint: "would allow no downtime"),
    BadInput("slo of 0%", drill(name, about, fault, kill, observe, "expect: { availability: { slo: 0% } }"),
             at: 6, 32, .invalidValue, "'slo' must be more than 0% and less than 100%, got '0%'"),
    BadInput("slo without percent sign", drill(name, about, fault, kill, observe, "expect: { availability: { slo: 99.99 } }"),
             at: 6, 32, .invalidValue, "'slo' needs a percent sign, got '99.99'", hint: "write 99.99%"),
    BadInput("slo finer than a thousandth of a percent", drill(name, about, fault, kill, observe, "expect: { availability: { slo: 99.9999% } }"),
             at: 6, 32, .invalidValue, "'slo' has more than three decimals, got '99.9999%'"),
    BadInput("period over a leap year", drill(name, about, fault, kill, observe, "expect: { availability: { slo: 99.99%, period: 400d } }"),
             at: 6, 48, .invalidValue, "'period' is over the 366d limit, got '400d'"),
    BadInput("period in minutes", drill(name, about, fault, kill, observe, "expect: { availability: { slo: 99.99%, period: 30m } }"),
             at: 6, 48, .invalidValue, "'period' must be from 1h to 366d, got 30m"),
    BadInput("zero failures per period", drill(name, about, fault, kill, observe, "expect: { availability: { slo: 99.99%, failures_per_period: 0 } }"),
             at: 6, 61, .invalidValue, "'failures_per_period' must be a whole number from 1 to 1000, got '0'"),
    BadInput("days in a drill phase", drill(name, about, fault, kill, "observe: { until: writes_ok, timeout: 2d }"),
             at: 5, 39, .invalidValue, "'timeout' is over the 24h limit, got '2d'"),
    BadInput("destructive is not a boolean", drill(name, about, fault, kill, observe, "destructive: yes"),
             at: 6, 14, .invalidValue, "'destructive' must be true or false, got 'yes'"),
    BadInput("duplicate top-level key", drill(name, about, fault, kill, observe, "name: e"),
             at: 1, 1, .duplicateKey, "duplicate key 'name'"),
    BadInput("shell without rollback", drill(name, about, fault, "  - shell: { on: primary, command: \"x\" }", observe),
             at: 4, 12, .missingKey, "missing required key 'rollback' in fault step 'shell'", hint: "no_rollback: true"),
    BadInput("shell with an empty rollback", drill(name, about, fault, "  - shell: { on: primary, command: x, rollback: \"\" }", observe),
             at: 4, 49, .invalidValue, "'rollback' is empty, so nothing would undo this command"),
    BadInput("fill_disk with size and until", drill(name, about, fault, "  - fill_disk: { on: primary, path: pg_wal, size: 1GB, until: full }", observe),
             at: 4, 51, .conflict, "'size' and 'until' cannot both be given"),
    BadInput("fill_disk with neither size nor until", drill(name, about, fault, "  - fill_disk: { on: primary, path: pg_wal }", observe),
             at: 4, 16, .missingKey, "fault step 'fill_disk' needs 'size' or 'until: full'"),
    BadInput("fill_disk leave with size", drill(name, about, fault, "  - fill_disk: { on: primary, path: pg_wal, size: 1GB, leave: 1MB }", observe),
             at: 4, 63, .conflict, "'leave' only applies with 'until: full'"),
    BadInput("fill_disk relative path", drill(name, about, fault, "  - fill_disk: { on: primary, path: ../etc, size: 1GB }", observe),
             at: 4, 37, .invalidValue, "'path' must be pg_wal, data or an absolute directory"),
    BadInput("switchover to the primary", drill(name, about, fault, "  - switchover: { to: primary }", observe),
             at: 4, 23, .invalidValue, "'to' must name a standby"),
    BadInput("wal_burst on a proxy", drill(name, about, fault, "  - wal_burst: { on: proxy, size: 1MB }", observe),
             at: 4, 22, .invalidValue, "'on' must be one database node"),
    BadInput("zero packet loss", drill(name, about, fault, "  - loss: { on: primary, percent: 0% }", observe),
             at: 4, 35, .invalidValue, "'percent' must be more than 0%"),
    BadInput("unknown unit in max_lag", drill(name, about, fault, kill, observe, "preflight: { max_lag: 1XB }"),
             at: 6, 23, .invalidValue, "'max_lag' has an unknown unit 'XB' in '1XB'"),
    BadInput("misspelt probe key", drill(name, about, fault, kill, observe, "probe: { wrters: 4 }"),
             at: 6, 10, .unknownKey, "unknown key 'wrters' in 'probe'; did you mean 'writers'?"),
    BadInput("probe endpoint repeated in also", drill(name, about, fault, kill, observe, "probe: { also: [write] }"),
             at: 6, 17, .duplicateName, "'also' lists endpoint 'write' twice"),
    BadInput("unquoted > comparison", drill(name, about, fault, kill, observe, "expect:", "  rto: > 60s"),
             at: 7, 10, .syntax, "YAML syntax error", hint: "quote comparisons"),
    BadInput("tab indentation", drill(name, about, fault, kill, observe, "probe:", "\twriters: 4"),
             at: 7, 1, .syntax, "YAML syntax error", hint: "tabs"),
    BadInput("anchor", drill(name, about, fault, kill, observe, "steady: &s 10s", "cooldown: *s"),
             at: 6, 9, .aliasNotAllowed, "YAML anchor '&s': anchors and aliases are not allowed in a drill file"),
    BadInput("root is a list", "- a\n- b\n",
             at: 1, 1, .wrongType, "drill must be a mapping of keys to values, got a list"),
    BadInput("two documents", "name: d\n---\nname: e\n",
             at: 2, 1, .syntax, "more than one YAML document"),
]

@Suite struct DrillFileErrorTests {
    @Test(arguments: badDrills)
    func badDrillFilesGivePreciseErrors(_ input: BadInput) {
        input.check(thrownError { () throws(DrillFileError) in try DrillLoader.load(yaml: input.yaml, file: "drills/bad.yaml") },
                    file: "drills/bad.yaml")
    }

    @Test func theSkeletonItselfIsValid() throws {
        _ = try DrillLoader.load(yaml: drill(name, about, fault, kill, observe), file: "ok.yaml")
    }

    @Test func descriptionIsCompilerStyleWithAnIndentedHint() {
        let error = DrillFileError(.unknownAction, file: "drills/x.yaml", line: 12, column: 5,
                                   message: "unknown fault action 'kil' (did you mean 'kill'?)", hint: "valid actions are kill, stop")
        #expect(error.description == "drills/x.yaml:12:5: error: unknown fault action 'kil' (did you mean 'kill'?)\n  hint: valid actions are kill, stop")
        let whole = DrillFileError(.tooLarge, file: "x.yaml", at: nil, message: "is too large")
        #expect(whole.description == "x.yaml: error: is too large")
        // Without a hint of its own, an error carries its code's general one.
        let plain = DrillFileError(.invalidValue, file: "x.yaml", line: 3, column: 9, message: "'writers' must be …")
        #expect(plain.hint == DrillFileError.Code.invalidValue.defaultHint)
        #expect(plain.description.hasSuffix("\n  hint: \(DrillFileError.Code.invalidValue.defaultHint!)"))
    }

    /// Control characters quoted from a hostile file are escaped: the message stays one inert line.
    @Test func controlCharactersInMessagesAreEscaped() {
        let error = DrillFileError(.invalidValue, file: "x.yaml", line: 1, column: 7,
                                   message: "'name' got 'a\u{1B}]0;pwned\u{7}\r\nb\u{202E}'", hint: "one\ntwo\u{0}")
        #expect(error.description == "x.yaml:1:7: error: 'name' got 'a\\u{1B}]0;pwned\\u{7}\\r\\nb\\u{202E}'\n  hint: one\n        two\\u{0}")
    }
}
