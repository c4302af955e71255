import Foundation
import Testing
@testable import PGDrillEngine
import PGDrillSSH

/// A cluster with a standby cluster in another region: the merged view, health, the journalled failback
/// plan, and the commands that run inside the cut-off region (run for real against a stand-in Patroni API).
@Suite struct RegionFailoverTests {
    typealias M = ClusterView.Member
    static let region1 = ClusterView(members: [M(name: "pg1", role: "leader", state: "running", timeline: 3),
                                                  M(name: "pg2", role: "sync_standby", state: "streaming", timeline: 3, lag: 0),
                                                  M(name: "pg3", role: "replica", state: "streaming", timeline: 3, lag: 0)])
    static let criteria = ClusterHealth.Criteria(members: ["pg1", "pg2", "pg3"], standbyMembers: ["dr1"])

    static func region2(_ role: String, _ state: String) -> ClusterView {
        ClusterView(members: [M(name: "dr1", role: role, state: state, timeline: 3)])
    }

    @Test func theClusterLeadsWhileTheStandbyClusterFollows() {
        let view = PatroniManager.merge(main: Self.region1, standby: Self.region2("standby_leader", "streaming"), standbyName: "dr")
        #expect(view.leader?.name == "pg1")
        #expect(view.members.map(\.name) == ["pg1", "pg2", "pg3"])
        #expect(view.otherRegion.map(\.name) == ["dr1"] && view.otherRegion.first?.region == "dr")
        #expect(ClusterHealth.evaluate(view, criteria: Self.criteria).isHealthy)
    }

    @Test func aPromotedStandbyClusterLeadsWhenTheRegionIsCutOff() {
        // The cut-off region does not answer: no leader at all until the standby cluster is promoted.
        let cut = PatroniManager.merge(main: nil, standby: Self.region2("standby_leader", "streaming"), standbyName: "dr")
        #expect(cut.leader == nil && cut.members.isEmpty)
        let promoted = PatroniManager.merge(main: nil, standby: Self.region2("leader", "running"), standbyName: "dr")
        #expect(promoted.leader?.name == "dr1" && promoted.leader?.region == "dr")
        // Healed but not failed back: the standby cluster still leads, the old region (now its standby) is the other one.
        let demoted = ClusterView(members: [M(name: "pg1", role: "standby_leader", state: "streaming")])
        let healed = PatroniManager.merge(main: demoted, standby: Self.region2("leader", "running"), standbyName: "dr")
        #expect(healed.leader?.name == "dr1" && healed.otherRegion.map(\.name) == ["pg1"])
        let problems = ClusterHealth.evaluate(healed, criteria: Self.criteria).problems
        #expect(problems.contains { $0.contains("'dr' is the primary region now") }, "\(problems)")
        // Two primaries (a demotion that never ran): the cluster's own keeps the lead in the view.
        let both = PatroniManager.merge(main: Self.region1, standby: Self.region2("leader", "running"), standbyName: "dr")
        #expect(both.leader?.name == "pg1")
        #expect(ClusterHealth.evaluate(both, criteria: Self.criteria).problems.contains { $0.contains("dr1") })
    }

    @Test(arguments: [
        (nil as ClusterView?, "standby cluster member dr1 is missing"),
        (region2("standby_leader", "starting"), "dr1 (standby_leader) is starting, not streaming"),
        (region2("replica", "streaming"), "has no standby leader"),
    ])
    func anUnfitStandbyClusterIsAProblem(standby: ClusterView?, problem: String) {
        let view = PatroniManager.merge(main: Self.region1, standby: standby, standbyName: "dr")
        let problems = ClusterHealth.evaluate(view, criteria: Self.criteria).problems
        #expect(problems.contains { $0.contains(problem) }, "\(problems)")
    }

    @Test func theFailbackPlanSurvivesTheJournal() throws {
        let plan = RegionFailback(
            primaryRegion: [.init(name: "pg1", api: URL(string: "http://10.77.0.11:8008")!, host: "10.77.0.11")],
            standbyRegion: [.init(name: "dr1", api: URL(string: "http://10.78.0.11:8008")!, host: "10.78.0.11")],
            standbyName: "dr", standbyConfig: #"{"host":"10.77.0.2","port":5000,"restore_command":"a \"%p\""}"#, pgPort: 5432)
        let text = plan.journalText
        #expect(text.hasPrefix("pgdrill-internal region-failback {"))
        #expect(RegionFailback.parse(text) == plan)
        #expect(RegionFailback.parse("pkill -f patroni") == nil)
        #expect(RegionFailback.parse("pgdrill-internal region-failback {\"nope\": 1}") == nil)
        #expect(RegionFailback.lsn(0x1_2345_6789) == "1/23456789")
    }

    @Test func regionScopeKeepsThePeersAndDropsEverythingElse() {
        let s = FaultTemplates.partition(tag: "t", scope: .region, peers: ["10.0.0.12", "10.0.0.13"], pgPort: 5432, sshPort: 22)
        let peer = s.range(of: "-A PGDRILL-t-IN -s 10.0.0.12 -j RETURN")
        let drop = s.range(of: "-A PGDRILL-t-IN -j DROP")
        #expect(peer != nil && drop != nil && peer!.lowerBound < drop!.lowerBound, "\(s)")
        #expect(s.contains("--dport 22 -j RETURN"))
        let cut = FaultTemplates.cutReplication(tag: "t", from: ["10.0.0.11"], endpointHost: "10.0.0.2", endpointPort: 5000, sshPort: 22)
        #expect(cut.contains("-A PGDRILL-t-OUT -d 10.0.0.2 -p tcp --dport 5000 -j DROP"), "\(cut)")
        #expect(cut.contains("-A PGDRILL-t-IN -s 10.0.0.11 -j DROP"))
        #expect(!cut.contains("-A PGDRILL-t-IN -j DROP"), "the standby region must stay reachable for the write endpoint")
    }

    /// The demotion script, run by a real sh and python3 against a stand-in for the region's Patroni API: it
    /// sends exactly the standby_cluster configuration, then waits until no member answers 200 on /primary.
    @Test func demotionScriptPatchesTheRegionAndWaitsForNoPrimary() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pgdrill-demote-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let port = CLITool.freePort()
        // Answers 200 on /primary until a PATCH arrived, then 503; records the PATCH body.
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        server.arguments = ["python3", "-c", """
            import http.server, sys
            state = {"patched": False}
            class H(http.server.BaseHTTPRequestHandler):
                def log_message(self, *a): pass
                def do_PATCH(self):
                    body = self.rfile.read(int(self.headers["Content-Length"]))
                    open(sys.argv[1], "wb").write(body)
                    open(sys.argv[1] + ".auth", "w").write(self.headers.get("Authorization", ""))
                    state["patched"] = True
                    self.send_response(200); self.end_headers(); self.wfile.write(b"{}")
                def do_GET(self):
                    self.send_response(503 if state["patched"] else 200); self.end_headers()
            http.server.HTTPServer(("127.0.0.1", int(sys.argv[2])), H).serve_forever()
            """, dir + "/body", "\(port)"]
        try server.run()
        // SIGKILL: the test process may block SIGTERM (interrupt tests), and children inherit the mask.
        defer { kill(server.processIdentifier, SIGKILL); server.waitUntilExit() }
        Thread.sleep(forTimeInterval: 0.5)
        let journalled = RegionTemplates.demoteRegion(apis: [URL(string: "http://127.0.0.1:\(port)")!], leaderHost: "10.78.0.11", port: 5432, timeoutSeconds: 10)
        // restapi.authentication: the journalled text holds the marker only; the header goes in as it is sent.
        let access = HTTPCredentials(setting: "patroni_api", username: "pgdrill", password: Secret("s3cret-pw"))
        #expect(journalled.contains(ClusterConnection.patroniAuthorizationMarker) && !journalled.contains("s3cret-pw"))
        let script = ClusterConnection.substitutingSecrets(journalled, patroni: access)
        #expect(!script.contains(ClusterConnection.patroniAuthorizationMarker))
        let r = try CLITool.run("/bin/sh", ["-c", script], environment: [:])
        #expect(r.status == 0, "\(r.output)")
        #expect(r.output.contains("standby cluster of 10.78.0.11"))
        let body = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/body"))) as? [String: Any]
        let section = body?["standby_cluster"] as? [String: Any]
        #expect(section?["host"] as? String == "10.78.0.11" && section?["port"] as? Int == 5432, "\(String(describing: body))")
        let sent = try String(contentsOfFile: dir + "/body.auth", encoding: .utf8)
        #expect(sent == "Basic " + Data("pgdrill:s3cret-pw".utf8).base64EncodedString(), "the PATCH must carry the API's credentials: '\(sent)'")
        // Without credentials the marker becomes nothing and no Authorization header is sent.
        #expect(!ClusterConnection.substitutingSecrets(journalled, patroni: .none).contains("@@"))
        // Nothing answers: the script fails instead of waiting forever.
        let dead = RegionTemplates.demoteRegion(apis: [URL(string: "http://127.0.0.1:\(CLITool.freePort())")!], leaderHost: "x", port: 1, timeoutSeconds: 2)
        let failed = try CLITool.run("/bin/sh", ["-c", dead], environment: [:])
        #expect(failed.status == 1 && failed.output.contains("no member API"), "\(failed.output)")
    }
}
