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
}
