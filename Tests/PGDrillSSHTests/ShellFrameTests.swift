import Foundation
import Testing

@testable import PGDrillSSH

@Suite("Shell framing")
struct ShellFrameTests {
    @Test("single quoting survives quotes, newlines and dollar signs")
    func quoting() {
        #expect(ShellFrame.singleQuoted("a'b") == #"'a'\''b'"#)
        #expect(ShellFrame.singleQuoted("") == "''")
        #expect(ShellFrame.singleQuoted("$HOME\n`x`") == "'$HOME\n`x`'")
    }

    @Test("markers are random and 128 bits long")
    func markers() {
        let a = ShellFrame.randomMarker()
        let b = ShellFrame.randomMarker()
        #expect(a != b)
        #expect(a.hasPrefix("PGDRILL-END-"))
        #expect(a.count == "PGDRILL-END-".count + 32)
    }

    @Test("the script runs the command in a subshell with stdin from /dev/null and ends on both streams")
    func script() {
        let frame = ShellFrame(command: "echo 'hi'", marker: "M")
        #expect(frame.script == #"( eval 'echo '\''hi'\''' ) </dev/null; __pgdrill_rc=$?; printf '%s %d\n' M "$__pgdrill_rc"; printf '%s %d\n' M "$__pgdrill_rc" >&2"# + "\n")
    }
}

/// Frames fed to a real long-lived shell on its stdin, as the shell channel does: bash (preferred) and the
/// POSIX sh fallback.
@Suite("Shell framing, run")
struct ShellFrameRunTests {
    static let shells = ["/bin/sh", "/bin/bash"].filter { FileManager.default.isExecutableFile(atPath: $0) }

    @Test("an unforked first line runs in the shell itself; the rest, its exit and later commands as usual", arguments: shells)
    func unforkedLine(shell: String) throws {
        let unforked = ShellFrame(command: "\(ShellFrame.unforkedMarker)\nfirst=$$; echo one\necho \"two $first\"; [ \"$first\" = \"$$\" ] && exit 3", marker: "M1")
        let plain = ShellFrame(command: "echo \"three $first\"; exit 4", marker: "M2")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: shell)
        let input = Pipe(), output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        p.standardError = FileHandle.nullDevice
        try p.run()
        input.fileHandleForWriting.write(Data((unforked.script + plain.script + "echo \"shell $$\"\n").utf8))
        try input.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        let lines = text.split(separator: "\n").map(String.init)
        let pid = p.processIdentifier
        // The first line's variable reaches the rest and outlives the command; `exit` ends only the subshell.
        #expect(lines == ["one", "two \(pid)", "M1 3", "three \(pid)", "M2 4", "shell \(pid)"], "\(text)")
    }

    @Test("without the marker the command is framed as before")
    func plainCommandUnchanged() {
        #expect(ShellFrame(command: "#pgdrill-unforkedX\necho a", marker: "M").script.hasPrefix("( eval "))
        #expect(ShellFrame(command: "\(ShellFrame.unforkedMarker)\necho a", marker: "M").script
                == "{ eval 'echo a'; } </dev/null\n( eval '' ) </dev/null; __pgdrill_rc=$?; printf '%s %d\\n' M \"$__pgdrill_rc\"; printf '%s %d\\n' M \"$__pgdrill_rc\" >&2\n")
    }
}

@Suite("End marker scanning")
struct EndMarkerScannerTests {
    static let marker = "PGDRILL-END-0123456789abcdef0123456789abcdef"

    @Test("output and status are found whatever the chunking", arguments: [1, 2, 3, 7, 64, 4096])
    func chunked(chunkSize: Int) {
        let stream = Array("line one\nno newline at end\(Self.marker) 42\n".utf8)
        var scanner = EndMarkerScanner(marker: Self.marker)
        var offset = 0
        while offset < stream.count {
            #expect(!scanner.isComplete)
            let end = min(offset + chunkSize, stream.count)
            scanner.consume(stream[offset..<end])
            offset = end
        }
        #expect(scanner.isComplete)
        #expect(scanner.exitStatus == 42)
        #expect(String(decoding: scanner.output, as: UTF8.self) == "line one\nno newline at end")
    }

    @Test("a marker without its newline is not complete yet")
    func incompleteLine() {
        var scanner = EndMarkerScanner(marker: Self.marker)
        scanner.consume(ArraySlice("x\(Self.marker) 1".utf8))
        #expect(!scanner.isComplete)
        scanner.consume(ArraySlice("\n".utf8))
        #expect(scanner.exitStatus == 1)
    }

    @Test("a different marker in the output is just output")
    func foreignMarker() {
        var scanner = EndMarkerScanner(marker: Self.marker)
        let other = "PGDRILL-END-ffffffffffffffffffffffffffffffff 0\n"
        scanner.consume(ArraySlice("\(other)PGDRILL-END-0123\(Self.marker) 0\n".utf8))
        #expect(scanner.exitStatus == 0)
        #expect(String(decoding: scanner.output, as: UTF8.self) == "\(other)PGDRILL-END-0123")
    }

    @Test("bytes after the marker line are ignored")
    func trailing() {
        var scanner = EndMarkerScanner(marker: Self.marker)
        scanner.consume(ArraySlice("\(Self.marker) 3\nlate output".utf8))
        scanner.consume(ArraySlice("more".utf8))
        #expect(scanner.exitStatus == 3)
        #expect(scanner.output.isEmpty)
    }
}
