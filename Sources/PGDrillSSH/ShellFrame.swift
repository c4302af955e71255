/// The text sent to the long-lived remote shell (bash or sh) for one command.
///
/// The command runs as `( eval '<command>' ) </dev/null`: in a subshell, so `exit`, `cd` or
/// `set -e` cannot change the long-lived shell and a syntax error fails only this command; with
/// stdin from /dev/null, so it cannot eat the commands that follow it on the shell's stdin. Then
/// an end marker with the exit status is printed on stdout *and* stderr, so both streams are known
/// to be complete. The marker carries 128 random bits: no command output can forge it.
///
/// A command that starts with the line `unforkedMarker` has its second line run by the long-lived shell
/// itself, as soon as that line has arrived — no subshell fork, and none of the rest read first (bash reads
/// a pipe a byte at a time) — then the rest in the usual subshell, which sees that line's variables. For a
/// fault's few builtins that must land the moment the command arrives (`FaultTemplates.kill`): that line
/// must not exit, change directory or set options, and its variables outlive the command.
struct ShellFrame: Sendable {
    static let unforkedMarker = "#pgdrill-unforked"

    let marker: String
    let script: String

    init(command: String, marker: String = ShellFrame.randomMarker()) {
        self.marker = marker
        let end = "printf '%s %d\\n' \(marker) \"$__pgdrill_rc\""
        var rest = Substring(command)
        var unforked = ""
        if command.hasPrefix(Self.unforkedMarker + "\n") {
            let body = command.dropFirst(Self.unforkedMarker.count + 1)
            let line = body.prefix { $0 != "\n" }
            unforked = "{ eval \(Self.singleQuoted(String(line))); } </dev/null\n"
            rest = body.dropFirst(line.count + 1)
        }
        script = unforked + "( eval \(Self.singleQuoted(String(rest))) ) </dev/null; __pgdrill_rc=$?; \(end); \(end) >&2\n"
    }

    /// `PGDRILL-END-` and 32 random hex digits.
    static func randomMarker() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = String(generator.next() as UInt64, radix: 16)
        let low = String(generator.next() as UInt64, radix: 16)
        return "PGDRILL-END-" + String(repeating: "0", count: 16 - high.count) + high
            + String(repeating: "0", count: 16 - low.count) + low
    }

    /// `text` as one POSIX shell word: inside single quotes nothing is special but the quote itself.
    static func singleQuoted(_ text: String) -> String {
        "'" + text.split(separator: "'", omittingEmptySubsequences: false).joined(separator: #"'\''"#) + "'"
    }
}
