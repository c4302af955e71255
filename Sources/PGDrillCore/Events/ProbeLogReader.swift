import Synchronization

/// Reads a probe log back as a stream of `ProbeAttempt`s, a 64 KiB chunk at a time, so analysis of a
/// long drill never holds the whole log in memory.
///
/// A multi-pass `Sequence`: every `makeIterator()` reopens the file, which `DrillAnalyzer` relies on
/// (it reads the log twice). `Sequence` iteration cannot throw, so rows that do not parse are
/// skipped and counted in `issues` (the first problem is kept with its row number); a caller that
/// must not trust a damaged log checks `issues.malformedRows` after reading. A row cut short at the
/// end of the file (the runner was killed mid-write) is such a row.
public struct ProbeLogReader: Sequence, Sendable {
    /// Path of the log file.
    public let path: String
    /// Problems found while iterating, shared by every iterator of this reader.
    public let issues: Issues

    /// Opens the log to check that it exists and starts with the probe log header.
    public init(path: String) throws {
        self.path = path
        issues = Issues()
        var records = CSVRecordReader(file: try ChunkedFile(path: path))
        try Self.checkHeader(&records, path: path)
    }

    public func makeIterator() -> Iterator {
        Iterator(path: path, issues: issues)
    }

    static func checkHeader(_ records: inout CSVRecordReader, path: String) throws {
        guard records.next() else {
            if let failure = records.readFailure { throw failure }
            throw ProbeLogError(code: .badHeader, path: path, row: 1, message: "the file is empty; expected the header \(ProbeLogFormat.header)")
        }
        let names = records.fields.indices.map { records.text($0) ?? "" }
        guard names == ProbeLogFormat.columns else {
            throw ProbeLogError(
                code: .badHeader, path: path, row: 1,
                message: "expected the header \(ProbeLogFormat.header), found \(names.joined(separator: ","))"
            )
        }
    }

    /// Rows skipped while reading, and the first problem seen.
    public final class Issues: Sendable {
        private let state = Mutex<(count: Int, first: ProbeLogError?, passes: Int)>((0, nil, 0))

        /// Number of rows skipped because they did not parse. Counted in the first pass over the file
        /// only: the analysis reads the log twice, and a bad row is one bad row.
        public var malformedRows: Int { state.withLock { $0.count } }
        /// The first problem (malformed row or read error), with its row number.
        public var firstProblem: ProbeLogError? { state.withLock { $0.first } }

        /// Numbers a new pass over the file, from 1.
        func beginPass() -> Int {
            state.withLock { state in
                state.passes += 1
                return state.passes
            }
        }

        func report(_ error: ProbeLogError, countsAsRow: Bool, pass: Int) {
            state.withLock { state in
                if countsAsRow && pass == 1 { state.count += 1 }
                if state.first == nil { state.first = error }
            }
        }
    }

    /// Streams the rows of one pass over the file.
    public final class Iterator: IteratorProtocol {
        private let path: String
        private let issues: Issues
        private var records: CSVRecordReader?
        /// Rows in the writer's common form are parsed in place; the rest go through `records.next()`.
        private var fast = ProbeLogRow()
        private let pass: Int

        init(path: String, issues: Issues) {
            self.path = path
            self.issues = issues
            pass = issues.beginPass()
            do {
                var records = CSVRecordReader(file: try ChunkedFile(path: path))
                try ProbeLogReader.checkHeader(&records, path: path)
                self.records = records
            } catch let error as ProbeLogError {
                issues.report(error, countsAsRow: false, pass: pass)
            } catch {
                issues.report(ProbeLogError(code: .openFailed, path: path, message: "\(error)"), countsAsRow: false, pass: pass)
            }
        }

        public func next() -> ProbeAttempt? {
            guard records != nil else { return nil }
            if let attempt = records!.nextInPlace({ fast.parse($0) }) { return attempt }
            while records!.next() {
                switch ProbeAttempt.parse(records!) {
                case .success(let attempt):
                    return attempt
                case .failure(let reason):
                    issues.report(
                        ProbeLogError(code: .malformedRow, path: path, row: records!.recordNumber, message: reason.reason),
                        countsAsRow: true, pass: pass
                    )
                }
            }
            if let failure = records!.readFailure { issues.report(failure, countsAsRow: false, pass: pass) }
            records = nil
            return nil
        }
    }
}

extension ProbeAttempt {
    /// Builds an attempt from one CSV record of the probe log.
    static func parse(_ r: CSVRecordReader) -> Result<ProbeAttempt, RowProblemError> {
        guard !r.isMalformed else { return .failure("row cut short or stray characters after a closing quote") }
        guard r.fields.count == ProbeLogFormat.columns.count else {
            return .failure("expected \(ProbeLogFormat.columns.count) fields, found \(r.fields.count)")
        }
        guard let endpoint = r.text(0) else { return .failure("endpoint is empty") }
        guard let writer = r.integer(1), let writerIndex = Int(exactly: writer) else { return .failure("writer is not an integer") }
        guard let seq = r.integer(2) else { return .failure("seq is not an integer") }
        guard let start = r.integer(3) else { return .failure("start is not an integer") }
        guard let end = r.integer(4) else { return .failure("end is not an integer") }
        guard let outcomeText = r.text(5), let outcome = Outcome(rawValue: outcomeText) else {
            return .failure("outcome must be ok, fail or indeterminate")
        }
        let serverTime = r.integer(8)
        if serverTime == nil && !r.isMissing(8) { return .failure("server_time is not an integer") }
        let timeline = r.integer(9).flatMap { Int(exactly: $0) }
        if timeline == nil && !r.isMissing(9) { return .failure("timeline is not an integer") }
        return .success(ProbeAttempt(
            endpoint: endpoint, writer: writerIndex, seq: seq, start: start, end: end, outcome: outcome,
            sqlstate: r.text(6), error: r.text(10), server: r.text(7), serverTime: serverTime, timeline: timeline
        ))
    }
}

/// The reason a row was rejected (internal; surfaced as a `ProbeLogError` with its row number).
struct RowProblemError: Error, ExpressibleByStringLiteral, ExpressibleByStringInterpolation {
    var reason: String
    init(stringLiteral value: String) { reason = value }
    init(stringInterpolation: DefaultStringInterpolation) { reason = String(stringInterpolation: stringInterpolation) }
}
