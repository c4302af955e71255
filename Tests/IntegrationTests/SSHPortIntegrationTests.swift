import Foundation
import Testing

/// Issue 20, item 2: sshd on a port other than 22 (`lab/lab.sh up --ssh-port 2222`, `make test-ssh-port`).
/// The partition and packet-loss drills cut everything but the cluster file's `ssh.port`: the runner's
/// session, its rollback and `recover` get through, the drills pass and `check` is clean afterwards.
extension LabIntegration {
    @Suite(.serialized, .enabled(if: Lab.sshPort != 22, "the lab's sshd is on 22: `make test-ssh-port` brings it up on 2222"))
    struct SSHPortIntegrationTests {
        @Test(arguments: ["03-primary-partitioned.yaml", "10-primary-packet-loss.yaml"])
        func linkFaultsPassWithSSHOnAnotherPort(file: String) throws {
            let state = Lab.scratch("ssh-port-\(file)")
            let cluster = try String(contentsOfFile: Lab.clusterPath!, encoding: .utf8)
            try #require(cluster.contains("port: \(Lab.sshPort)"), "the cluster file does not carry the lab's ssh port")
            let r = try CLI.pgdrill(["run", Lab.drills + "/" + file, "--cluster", Lab.clusterPath!, "--yes", "--report-dir", state + "/reports"],
                                    stateDir: state, timeout: 480)
            let report = try Report.load(state + "/reports")
            let drill = try #require(report.drills.first)
            #expect(r.status == 0, "exit \(r.status)\n\(r.stderr.suffix(4000))\n\(drill.expectationsText)")
            #expect(drill.verdict == "PASS", "\(drill.expectationsText)")
            #expect(drill.lostWrites == 0)
            #expect(r.stderr.contains("rolled back:"), "\(r.stderr.suffix(2000))")
            let c = try CLI.pgdrill(["check", "--cluster", Lab.clusterPath!], stateDir: state, timeout: 120)
            #expect(c.status == 0, "cluster not healthy after the drill:\n\(c.stdout)\(c.stderr)")
            #expect(c.stdout.contains("No leftovers"), "\(c.stdout)")
        }
    }
}
