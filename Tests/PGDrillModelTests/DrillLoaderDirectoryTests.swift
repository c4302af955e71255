import Foundation
import Testing
@testable import PGDrillModel

@Suite struct DrillLoaderDirectoryTests {
    @Test func directoriesExpandToTheirYAMLFilesSorted() throws {
        let directory = fixture("drills")
        #expect(try DrillLoader.drillFiles(at: directory) == [
            directory + "/every-action.yaml", directory + "/primary-node-down.yaml", directory + "/sync-standby-down.yml",
        ])
        let drills = try DrillLoader.loadAll(paths: [directory, fixture("drills/every-action.yaml")].dropLast() + [])
        #expect(drills.map(\.name) == ["every-action", "primary-node-down", "sync-standby-down"])
    }

    @Test func everyBrokenFileIsReportedAndDuplicateNamesToo() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let valid = "description: x\nfault: [{ stop: { service: etcd, on: replica } }]\nobserve: { until: writes_ok }\n"
        let files = [
            "a.yaml": "name: one\n" + valid,
            "b.yml": "name: one\n" + valid,
            "c.yaml": "name: three\nstedy: 1s\n" + valid,
            "d.yaml": "name: [\n",
            "notes.md": "not yaml at all: [",
            ".hidden.yaml": "broken: [",
        ]
        for (name, text) in files {
            try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let path = directory.path
        do {
            _ = try DrillLoader.loadAll(paths: [path, path + "/missing.yaml"])
            Issue.record("loadAll accepted broken files")
        } catch {
            #expect(error.errors.map(\.file) == [path + "/missing.yaml", path + "/b.yml", path + "/c.yaml", path + "/d.yaml"])
            #expect(error.errors.map(\.code) == [.unreadable, .duplicateName, .unknownKey, .syntax])
            #expect(error.errors[1].message == "drill name 'one' is also used by \(path)/a.yaml")
            #expect(error.errors[1].mark == SourceMark(line: 1, column: 1))
            #expect(error.description.split(separator: "\n").first == "\(path)/missing.yaml: error: no such file or directory")
        }
    }

    @Test func aDirectoryWithoutDrillsIsAnError() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let error = thrownError { () throws(DrillFileError) in try DrillLoader.drillFiles(at: directory.path) }
        #expect(error?.message == "has no *.yaml or *.yml drill files")
    }
}
