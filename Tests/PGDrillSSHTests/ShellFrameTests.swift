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
