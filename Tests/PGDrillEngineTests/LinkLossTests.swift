import PGDrillCore
import PGDrillModel
import Testing
@testable import PGDrillEngine

/// The pure parts of losing one of the runner's own links: the life cycle's answer when recovery cannot be
/// seen, the probe's "endpoint never answered" streak, and which endpoint hosts a fault hit.
@Suite struct LinkLossTests {
    /// Interrupted: no read-back on the way out, the cluster is reported degraded at once.
    @Test func unconfirmedRecoveryEndsDegraded() {
        var m = DrillLifecycle(faultCount: 1)
        _ = m.handle(.start)
        _ = m.handle(.preflightPassed)
        _ = m.handle(.steadyElapsed)
        _ = m.handle(.faultApplied(0))
        #expect(m.handle(.interrupted("lost sight of the cluster")) == .rollBack)
        #expect(m.handle(.rolledBack(complete: true)) == .awaitRecovery)
        #expect(m.handle(.recoveryUnconfirmed("no API")) == .finish(.degraded("recovery not confirmed: no API")))
    }

    static func attempt(_ start: Int64, _ outcome: ProbeAttempt.Outcome, _ error: String?) -> ProbeAttempt {
        ProbeAttempt(endpoint: "write", writer: 0, seq: start, start: start, end: start + 2_000_000, outcome: outcome, error: error)
    }

    @Test func connectTimeoutsMakeAStreakThatAnyAnswerEnds() {
        let live = LiveProbeView()
        live.observe(Self.attempt(0, .ok, nil))
        #expect(live.unansweredFor(now: 1_000_000) == nil)
        live.observe(Self.attempt(5_000_000, .fail, "connection not established before the deadline; closed"))
        live.observe(Self.attempt(7_000_000, .fail, "connection not established before the deadline; closed"))
        #expect(live.unansweredFor(now: 17_000_000) == 12_000_000)
        // A refusal is an answer: the endpoint is reachable, whatever the cluster is doing.
        live.observe(Self.attempt(9_000_000, .fail, "server closed the connection unexpectedly"))
        #expect(live.unansweredFor(now: 20_000_000) == nil)
    }

    @Test func conninfoHosts() {
        #expect(Conninfo.hosts("host=10.77.0.2 port=5000 dbname=drill user=drill") == ["10.77.0.2"])
        #expect(Conninfo.hosts("host=a,b port=5432 target_session_attrs=read-write") == ["a", "b"])
        #expect(Conninfo.hosts("hostaddr=10.0.0.1 dbname=x") == ["10.0.0.1"])
        // The endpoint's hosts decide whether a dark endpoint is the fault's doing or a lost link. The naive
        // split on spaces returned nothing for a URI and a broken value for quoted or spaced pairs.
        #expect(Conninfo.hosts("postgresql://drill@10.77.0.2:5000/drill?sslmode=disable") == ["10.77.0.2"])
        #expect(Conninfo.hosts("postgres://app@db1:5432,db2:5433/app?target_session_attrs=read-write") == ["db1", "db2"])
        #expect(Conninfo.hosts("postgresql://[fd00::2]:5000/drill") == ["fd00::2"])
        #expect(Conninfo.hosts("postgresql:///drill?host=%2Fvar%2Frun%2Fpostgresql") == ["/var/run/postgresql"])
        #expect(Conninfo.hosts("host = 'pg-vip' port=5000") == ["pg-vip"])
        #expect(Conninfo.hosts("dbname='a b' host=10.0.0.3") == ["10.0.0.3"])
    }
}
