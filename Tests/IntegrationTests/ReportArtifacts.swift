import Foundation
import Testing

/// Checks every artifact of a real run the way its consumers read it: report.json against the JSON Schema
/// (Python's jsonschema), junit.xml with a real XML parser, the SVG as XML, and no secret anywhere.
enum ReportArtifacts {
    /// `stateDir`: the run's PGDRILL_STATE_DIR, whose journal is searched for secrets too.
    static func verify(runDir: String, extraOutput: String, stateDir: String? = nil) throws {
        let fm = FileManager.default
        for f in ["report.md", "report.json", "junit.xml"] {
            #expect(fm.fileExists(atPath: "\(runDir)/\(f)"), "\(f) missing in \(runDir)")
        }
        let schema = Lab.root + "/schema/report.schema.json"
        let py = """
        import json, sys, glob, xml.etree.ElementTree as ET
        import jsonschema
        run = sys.argv[1]
        report = json.load(open(run + "/report.json"))
        jsonschema.validate(report, json.load(open(sys.argv[2])))
        suites = ET.parse(run + "/junit.xml").getroot()
        cases = suites.findall(".//testcase")
        assert len(cases) == len(report["drills"]), (len(cases), len(report["drills"]))
        failures = sum(len(c.findall("failure")) for c in cases)
        missed = sum(1 for d in report["drills"] for e in d["expectations"] if not e["passed"])
        assert failures == missed, (failures, missed)
        for svg in glob.glob(run + "/drill-*/timeline.svg"):
            assert ET.parse(svg).getroot().tag.endswith("svg"), svg
        print("ok", len(cases))
        """
        let r = try CLI.run("/usr/bin/env", ["python3", "-c", py, runDir, schema], timeout: 60)
        #expect(r.status == 0, "artifact check failed:\n\(r.stdout)\(r.stderr)")

        // The lab's password (from its pgpass) and its ssh private key must appear in no artifact (probe.csv
        // and every other file of the run, the journal) and no output.
        let passwords = try Lab.passwords()
        #expect(!passwords.isEmpty)
        let key = try String(contentsOfFile: Lab.stateDir + "/ssh/id_ed25519", encoding: .utf8)
        let keyLines = key.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("-----") && $0.count >= 16 }
        #expect(!keyLines.isEmpty)
        let secrets = passwords.map { ($0.value, $0.what) } + [("PRIVATE KEY", "a private key header")]
            + keyLines.map { ($0, "the lab's ssh private key") }
        var texts = [("output", extraOutput)]
        for f in fm.enumerator(atPath: runDir)?.compactMap({ $0 as? String }) ?? [] {
            if let t = try? String(contentsOfFile: "\(runDir)/\(f)", encoding: .utf8) { texts.append((f, t)) }
        }
        if let stateDir {
            let journals = (fm.enumerator(atPath: stateDir)?.compactMap { $0 as? String } ?? []).filter { !$0.hasPrefix("reports") }
            for f in journals {
                if let t = try? String(contentsOfFile: "\(stateDir)/\(f)", encoding: .utf8) { texts.append(("state " + f, t)) }
            }
        }
        #expect(texts.contains { $0.0.hasSuffix("probe.csv") }, "no probe.csv among the artifacts")
        for (name, text) in texts {
            for (secret, what) in secrets { #expect(!text.contains(secret), "\(what) appears in \(name)") }
        }
    }

    static func newestRun(_ reports: String) throws -> String {
        let runs = try FileManager.default.contentsOfDirectory(atPath: reports).sorted()
        return reports + "/" + (try #require(runs.last))
    }
}

/// The probe log as the independent side of a lost-writes check: `writer:seq` of every write the probe saw
/// acknowledged on `endpoint`, read straight from probe.csv (not through pgdrill's own reader).
enum ProbeCSV {
    /// Acknowledged keys; with `before`, only those whose attempt ended before that run-clock µs.
    static func acknowledged(_ path: String, endpoint: String = "write", before: Int64? = nil) throws -> Set<String> {
        let csv = try String(contentsOfFile: path, encoding: .utf8)
        var acked = Set<String>()
        for row in csv.split(separator: "\n").dropFirst() {
            let f = row.split(separator: ",", omittingEmptySubsequences: false)
            guard f.count > 5, f[0] == endpoint, f[5] == "ok" else { continue }
            if let before, let end = Int64(f[4]), end >= before { continue }
            acked.insert("\(f[1]):\(f[2])")
        }
        return acked
    }
}

/// The independent side of every lost-writes assertion: acknowledged `endpoint:writer:seq` keys from probe.csv
/// (read straight from the file, not through pgdrill's reader) minus the rows a plain psql finds on `node`.
/// The run must have kept its probe rows (`--keep-probe-rows`); they are deleted here afterwards.
enum IndependentCount {
    static func lostWrites(probeCSV: String, endpoints: [String], runID: String, on node: String) throws -> Int {
        var acked = Set<String>()
        for e in endpoints { acked.formUnion(try ProbeCSV.acknowledged(probeCSV, endpoint: e).map { "\(e):\($0)" }) }
        let pgpass = ["PGPASSFILE": Lab.stateDir + "/pgpass"]
        let rows = try CLI.run("/usr/bin/psql", ["-X", "-At", "host=\(Lab.address(node)) port=5432 dbname=drill user=drill",
                                                 "-c", "SELECT endpoint || ':' || writer || ':' || seq FROM pgdrill.probe WHERE run_id = '\(runID)'"],
                               env: pgpass, timeout: 60)
        #expect(rows.status == 0, "reading the probe rows on \(node): \(rows.stderr)")
        let present = Set(rows.stdout.split(separator: "\n").map(String.init))
        _ = try? CLI.run("/usr/bin/psql", ["-X", "-q", "host=\(Lab.address("px")) port=5000 dbname=drill user=drill",
                                           "-c", "DELETE FROM pgdrill.probe WHERE run_id = '\(runID)'"], env: pgpass, timeout: 60)
        return acked.subtracting(present).count
    }
}
