import Foundation
import Logging
import PGDrillCore
import PGDrillEngine
import PGDrillModel
import PGDrillPostgres
import PGDrillSSH
import Synchronization

// pgdrill-bench: the instrument's own figures, each measured in one run against what a DBA would use
// instead (driven by bench/run.sh, which runs the comparison tools and prints the table).
//
//   pgdrill-bench probe  CLUSTER ENDPOINT WRITERS SECONDS   probe rate and latency through an endpoint
//   pgdrill-bench ssh    CLUSTER NODE RUNS COMMAND          remote command latency on a reused session
//   pgdrill-bench log    ROWS                               analysis and report time of a synthetic probe log
//                                                           (a failover in the middle, 4 writers, 2 endpoints)
//   pgdrill-bench inject CLUSTER RUNS WRITERS               fault-injection latency on the primary, under
//                                                           a full-rate probe of WRITERS writers
//
// Output: one line of `key=value` pairs, for the script to read.

let args = CommandLine.arguments
guard args.count >= 2 else {
    FileHandle.standardError.write(Data("usage: pgdrill-bench probe CLUSTER ENDPOINT WRITERS SECONDS | ssh CLUSTER NODE RUNS COMMAND | inject CLUSTER RUNS WRITERS\n".utf8))
    exit(2)
}

func cluster(_ path: String) -> ClusterSpec {
    do { return try ClusterLoader.load(path: path) } catch {
        FileHandle.standardError.write(Data("\(error)\n".utf8))
        exit(2)
    }
}

func micros(_ v: Int64?) -> String { v.map { String(format: "%.3f", Double($0) / 1000) } ?? "nan" }

switch args[1] {
case "probe" where args.count == 6:
    let spec = cluster(args[2])
    guard let conninfo = spec.conninfo(endpoint: args[3]), let writers = Int(args[4]), let seconds = Double(args[5]) else { exit(2) }
    try ProbeTable.ensure(conninfo: conninfo)
    final class Tally: Sendable {
        let state = Mutex((ok: 0, bad: 0, histogram: LatencyHistogram()))
        func add(_ a: ProbeAttempt) {
            state.withLock { s in
                if a.outcome == .ok { s.ok += 1; s.histogram.record(a.end - a.start) } else { s.bad += 1 }
            }
        }
    }
    let tally = Tally()
    let runID = "bench-\(UUID().uuidString.prefix(8))"
    let probe = WriteProbe(runID: runID, endpoint: args[3], conninfo: conninfo, writers: writers, clock: RunClock(),
                           sink: { tally.add($0) }, logger: Logger(label: "bench"))
    // Warm up 2 s (connections, caches), then measure.
    probe.start()
    Thread.sleep(forTimeInterval: 2)
    tally.state.withLock { $0 = (0, 0, LatencyHistogram()) }
    let start = Date()
    Thread.sleep(forTimeInterval: seconds)
    let (ok, bad, h) = tally.state.withLock { ($0.ok, $0.bad, $0.histogram) }
    let elapsed = Date().timeIntervalSince(start)
    probe.stop()
    _ = try? ProbeTable.purge(conninfo: conninfo, runID: runID)
    print(String(format: "rate=%.1f ok=%d failed=%d p50_ms=%@ p99_ms=%@", Double(ok) / elapsed, ok, bad,
                 micros(h.value(atQuantile: 0.5)), micros(h.value(atQuantile: 0.99))))

case "ssh" where args.count == 6:
    // The engine's own path to the host: the cluster file's login, sudo and jump host, one shell per host.
    let spec = cluster(args[2])
    guard spec.node(named: args[3]) != nil, let runs = Int(args[4]) else { exit(2) }
    let connection = ClusterConnection(cluster: try ClusterTarget(spec: spec), logger: Logger(label: "bench"))
    defer { connection.closeAll() }
    let command = RemoteScript(host: args[3], script: args[5], summary: "bench")
    _ = try connection.runAllowingFailure(command, timeout: .seconds(10))
    var samples: [Int64] = []
    for _ in 0..<runs {
        let t = RunClock.monotonicNanos()
        _ = try connection.runAllowingFailure(command, timeout: .seconds(10))
        samples.append(Int64(RunClock.monotonicNanos() - t) / 1000)
    }
    samples.sort()
    print("median_ms=\(micros(samples[samples.count / 2])) p99_ms=\(micros(samples[min(samples.count - 1, samples.count * 99 / 100)])) min_ms=\(micros(samples.first)) max_ms=\(micros(samples.last))")

case "log" where args.count == 3:
    guard let rows = Int(args[2]) else { exit(2) }
    let path = NSTemporaryDirectory() + "pgdrill-bench-\(getpid()).csv"
    defer { try? FileManager.default.removeItem(atPath: path) }
    // ~5.4k attempts/s as measured on the lab; a 20 s outage in the middle with failed attempts, then a new server.
    let writer = try ProbeLogWriter(path: path)
    let perSecond = 5_400, t0 = Int64(rows / perSecond / 2) * 1_000_000, outageEnd = t0 + 20_000_000
    // The read-back as the runner holds it: keys added as the rows arrive (the read-back reads them in key order).
    var present = WriteKeySet.Builder()
    for i in 0..<rows {
        let start = Int64(i) * 1_000_000 / Int64(perSecond), end = start + 700
        let endpoint = i % 5 == 4 ? "pooled" : "write", w = i % 4, seq = Int64(i / 4)
        let down = start >= t0 && start < outageEnd
        let server = start < t0 ? "10.77.0.11:5432" : "10.77.0.12:5432"
        let a = down
            ? ProbeAttempt(endpoint: endpoint, writer: w, seq: seq, start: start, end: end, outcome: .fail, sqlstate: "08006",
                           error: "connection to server was lost")
            : ProbeAttempt(endpoint: endpoint, writer: w, seq: seq, start: start, end: end, outcome: .ok, server: server,
                           serverTime: 1_700_000_000_000_000 + start, timeline: start < t0 ? 1 : 2)
        writer.record(a)
        if !down { present.add(WriteKey(endpoint: endpoint, writer: w, seq: seq)) }
    }
    try writer.close()
    let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    // Wall time, and the thread's CPU time: on a machine others load, the CPU time is the figure that carries over.
    func cpuSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
    func timed(_ what: String, _ body: () throws -> Void) rethrows {
        let t = RunClock.monotonicNanos(), c = cpuSeconds()
        try body()
        print(String(format: "%@_s=%.3f %@_cpu_s=%.3f", what, Double(RunClock.monotonicNanos() - t) / 1e9, what, cpuSeconds() - c), terminator: " ")
    }
    let readBack = ReadBack(primary: "pg2", nodes: ["pg2": present.build()])
    let reader = try ProbeLogReader(path: path)
    var count = 0
    timed("read_pass") { for _ in reader { count += 1 } }
    let input = DrillAnalysisInput(endpoint: "write", also: ["pooled"], steadyStart: 0, t0: t0, observeEnd: outageEnd + 10_000_000,
                                   runEnd: Int64.max, stableFor: 5_000_000, oldPrimary: "pg1", readBack: readBack,
                                   serverNodes: ["10.77.0.11:5432": "pg1", "10.77.0.12:5432": "pg2"])
    var metrics: DrillMetrics?
    let gathered = TimelineSVG.Gathered()
    timed("analysis_with_timeline") { metrics = DrillAnalyzer(input).analyze(log: reader, timeline: gathered) }
    let drill = DrillReport(name: "bench", verdict: .pass, metrics: metrics)
    timed("timeline_svg") { _ = TimelineSVG().render(drill: drill, gathered: gathered) }
    print("rows=\(count) mib=\(size >> 20) lost=\(metrics?.writes?.lostWrites ?? -1)")

case "inject" where args.count == 5:
    // The runner's own injection path (priority-raised thread, reused shell channel, the kill template with
    // its effect stamp) with a harmless signal: SIGCONT to Patroni and the postmaster, which ignore it. The
    // primary is what a real drill kills, and what the probe's writes keep busy.
    let spec = cluster(args[2])
    guard let runs = Int(args[3]), let writers = Int(args[4]) else { exit(2) }
    let target = try ClusterTarget(spec: spec)
    let connection = ClusterConnection(cluster: target, logger: Logger(label: "bench"))
    guard let primary = try connection.clusterView().leader?.name, let conninfo = spec.conninfo(endpoint: "write") else { exit(2) }
    try ProbeTable.ensure(conninfo: conninfo)
    let runID = "bench-\(UUID().uuidString.prefix(8))"
    let probe = WriteProbe(runID: runID, endpoint: "write", conninfo: conninfo, writers: writers, clock: RunClock(),
                           sink: { _ in }, logger: Logger(label: "bench"))
    if writers > 0 { probe.start() }
    ThreadPriority.raiseCurrentThread()
    // As the runner does: the processes' PIDs looked up before the decision, the fault script checks them.
    let action = FaultAction.kill(processes: ["patroni", "postgres"], signal: "CONT", on: .primary)
    let find = RemoteScript(host: primary, script: FaultTemplates.processIDs(names: action.processNamesToFind), summary: "find")
    func fault() throws -> HostFault {
        let hints = FaultTemplates.parseProcessIDs(try connection.run(find, timeout: .seconds(10)).stdout)
        return try action.hostFault(on: target.context(for: primary), tag: "bench", processHints: hints)
    }
    _ = try connection.run(try fault().apply, timeout: .seconds(10))
    Thread.sleep(forTimeInterval: 2)
    let clock = RunClock()
    var effects: [Int64] = [], returns: [Int64] = [], unknown = 0, stampSources = Set<String>()
    for _ in 0..<runs {
        let apply = try fault().apply
        let decided = clock.now(), decidedWall = clock.wallNowMicros()
        let result = try connection.run(apply, timeout: .seconds(10))
        let returned = clock.now()
        let stamp = EffectStamp.extract(from: result.stdout).wallMicros
        // Six decimals: bash's $EPOCHREALTIME (exact); nine: a forked `date` (an upper bound).
        let line = result.stdout.split(separator: "\n").first { $0.hasPrefix(EffectStamp.prefix) }
        stampSources.insert(line?.split(separator: ".").last?.count == 6 ? "bash" : line == nil ? "none" : "date")
        if let e = EffectStamp.latency(decidedWall: decidedWall, effectWall: stamp, roundTripEnd: decidedWall + returned - decided) {
            effects.append(e)
        } else {
            unknown += 1
        }
        returns.append(returned - decided)
        Thread.sleep(forTimeInterval: 0.05)
    }
    if writers > 0 { probe.stop() }
    _ = try? ProbeTable.purge(conninfo: conninfo, runID: runID)
    effects.sort()
    returns.sort()
    func q(_ v: [Int64], _ p: Int) -> Int64? { v.isEmpty ? nil : v[min(v.count - 1, v.count * p / 100)] }
    print("node=\(primary) effect_median_ms=\(micros(q(effects, 50))) effect_p99_ms=\(micros(q(effects, 99))) effect_max_ms=\(micros(effects.last)) "
        + "return_median_ms=\(micros(q(returns, 50))) unknown=\(unknown) stamp=\(stampSources.sorted().joined(separator: "+"))")

case "outage" where args.count == 5:
    // RTO resolution: connection-refused outages of known length on the write endpoint (an iptables REJECT with
    // tcp-reset for port PORT on the proxy host, inserted and removed through the engine's own shell, each
    // instant stamped on the proxy's clock — the same kernel clock as this machine's in the lab), and the
    // probe's first acknowledgement after the port is open again. What is left is the probe's own
    // resolution: its back-off between refused attempts, the connect, the INSERT.
    let spec = cluster(args[2])
    guard let outages = Int(args[3]), let port = Int(args[4]), let conninfo = spec.conninfo(endpoint: "write"),
          let proxy = spec.proxies.first?.name else { exit(2) }
    let target = try ClusterTarget(spec: spec)
    let connection = ClusterConnection(cluster: target, logger: Logger(label: "bench"))
    defer { connection.closeAll() }
    try ProbeTable.ensure(conninfo: conninfo)
    let rule = "INPUT -p tcp --dport \(port) -m comment --comment pgdrill-bench-outage -j REJECT --reject-with tcp-reset"
    // Removes every copy of the rule (a run killed half-way may have left one), then stamps the instant.
    let heal = RemoteScript(host: proxy, script: "while iptables -D \(rule) 2>/dev/null; do :; done; echo \"$EPOCHREALTIME\"", summary: "open")
    let cut = RemoteScript(host: proxy, script: "iptables -I \(rule) && echo \"$EPOCHREALTIME\"", summary: "refuse")
    defer { _ = try? connection.runAllowingFailure(heal, timeout: .seconds(10)) }
    func stamp(_ r: CommandResult) throws -> Int64 {
        guard let line = r.stdout.split(separator: "\n").last, let seconds = Double(line) else {
            throw EngineError(.remote, "no timestamp from the proxy: \(r.stdout) \(r.stderr)")
        }
        return Int64((seconds * 1e6).rounded())
    }
    let clock = RunClock()
    let acks = Mutex<[Int64]>([])  // wall µs of every acknowledgement
    let runID = "bench-\(UUID().uuidString.prefix(8))"
    let probe = WriteProbe(runID: runID, endpoint: "write", conninfo: conninfo, writers: 1, clock: clock,
                           sink: { a in if a.outcome == .ok { acks.withLock { $0.append(clock.wallMicros(at: a.end)) } } }, logger: Logger(label: "bench"))
    _ = try stamp(try connection.run(heal, timeout: .seconds(10)))
    probe.start()
    Thread.sleep(forTimeInterval: 2)
    var delays: [Int64] = []
    for _ in 0..<outages {
        _ = try stamp(try connection.run(cut, timeout: .seconds(10)))
        Thread.sleep(forTimeInterval: 1)
        let back = try stamp(try connection.run(heal, timeout: .seconds(10)))
        let deadline = Date().addingTimeInterval(10)
        var first: Int64?
        while first == nil, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.01)
            first = acks.withLock { $0.first { $0 > back } }
        }
        guard let first else { throw EngineError(.remote, "no acknowledgement within 10 s of the port reopening") }
        delays.append(first - back)
        Thread.sleep(forTimeInterval: 0.5)
        acks.withLock { $0.removeAll() }
    }
    probe.stop()
    _ = try? ProbeTable.purge(conninfo: conninfo, runID: runID)
    delays.sort()
    print("outages=\(delays.count) first_ack_median_ms=\(micros(delays[delays.count / 2])) first_ack_p90_ms=\(micros(delays[delays.count * 9 / 10])) "
        + "first_ack_max_ms=\(micros(delays.last)) first_ack_min_ms=\(micros(delays.first))")

default:
    FileHandle.standardError.write(Data("unknown or incomplete benchmark: \(args.dropFirst().joined(separator: " "))\n".utf8))
    exit(2)
}
