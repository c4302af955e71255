import Testing
@testable import PGDrillEngine

/// Pre-flight refuses a login failure before it waits for health (the health check only sees "the leader does
/// not answer SQL"); anything else — a node restarting, a refused connection — is still given the wait.
@Suite struct CredentialFailureTests {
    @Test(arguments: [
        "connection to server at \"10.0.0.1\", port 5432 failed: fe_sendauth: no password supplied",
        "FATAL:  password authentication failed for user \"pgdrill\"",
        "FATAL:  no pg_hba.conf entry for host \"10.0.0.9\", user \"pgdrill\", database \"postgres\", no encryption",
        "FATAL:  role \"pgdrill\" does not exist",
    ])
    func loginFailuresDoNotWaitForHealth(_ error: String) {
        #expect(DrillRunner.isCredentialFailure(error))
    }

    @Test(arguments: [
        "connection to server at \"10.0.0.1\", port 5432 failed: Connection refused",
        "FATAL:  the database system is starting up",
        "timeout expired",
    ])
    func transientFailuresAreGivenTheWait(_ error: String) {
        #expect(!DrillRunner.isCredentialFailure(error))
    }

    /// A node Patroni is restarting (an old primary rejoining after a partition healed) answers these for a few
    /// seconds after the cluster reports healthy: pre-flight's SQL check waits for it (a CI rehearsal refused
    /// two drills in a row on "not yet accepting connections" right after `recover`). A node that is slow or
    /// refuses the login is not restarting.
    @Test(arguments: [
        ("connection to server at \"10.77.0.11\", port 5432 failed: FATAL:  the database system is not yet accepting connections", true),
        ("connection to server at \"10.77.0.11\", port 5432 failed: Connection refused", true),
        ("FATAL:  the database system is starting up", true),
        ("FATAL:  the database system is shutting down", true),
        ("timeout expired", false),
        ("FATAL:  password authentication failed for user \"drill\"", false),
    ])
    func aRestartingNodeIsGivenTimeBeforePreflightRefuses(_ error: String, _ transient: Bool) {
        #expect(DrillRunner.isTransientSQLFailure(error) == transient)
    }
}
