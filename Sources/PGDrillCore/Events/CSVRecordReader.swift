#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Splits a byte stream into RFC 4180 records: fields separated by commas, records by LF or CRLF,
/// fields optionally in double quotes with `""` for a quote inside. Field bytes go to one reusable
/// buffer, so reading a record allocates nothing once the buffers have grown.
struct CSVRecordReader {
    /// One field of the current record: a range of `bytes`, and whether it was quoted.
    struct Field {
        var range: Range<Int>
        var quoted: Bool
    }

    private let file: ChunkedFile
    /// Bytes of all fields of the current record, unescaped.
    private(set) var bytes: [UInt8] = []
    private(set) var fields: [Field] = []
    /// The current record ended without a newline (a torn last write) or had stray bytes after a
    /// closing quote.
    private(set) var isMalformed = false
    /// 1-based number of the current record.
    private(set) var recordNumber = 0

    init(file: ChunkedFile) {
        self.file = file
        bytes.reserveCapacity(512)
        fields.reserveCapacity(16)
    }

    private enum State { case fieldStart, unquoted, quoted, quoteInQuoted }

    /// Reads the next record; false at the end of the input.
    mutating func next() -> Bool {
        bytes.removeAll(keepingCapacity: true)
        fields.removeAll(keepingCapacity: true)
        isMalformed = false
        var state = State.fieldStart
        var fieldStart = 0
        var quoted = false
        var sawAnything = false

        func endField() {
            fields.append(Field(range: fieldStart..<bytes.count, quoted: quoted))
            fieldStart = bytes.count
            quoted = false
        }

        while let byte = file.nextByte() {
            sawAnything = true
            switch state {
            case .fieldStart, .unquoted:
                switch byte {
                case ProbeLogFormat.comma:
                    endField()
                    state = .fieldStart
                case ProbeLogFormat.newline:
                    endField()
                    recordNumber += 1
                    return true
                case ProbeLogFormat.carriageReturn:
                    continue
                case ProbeLogFormat.quote where state == .fieldStart:
                    quoted = true
                    state = .quoted
                default:
                    bytes.append(byte)
                    state = .unquoted
                }
            case .quoted:
                if byte == ProbeLogFormat.quote {
                    state = .quoteInQuoted
                } else {
                    bytes.append(byte)
                }
            case .quoteInQuoted:
                switch byte {
                case ProbeLogFormat.quote:
                    bytes.append(byte)
                    state = .quoted
                case ProbeLogFormat.comma:
                    endField()
                    state = .fieldStart
                case ProbeLogFormat.newline:
                    endField()
                    recordNumber += 1
                    return true
                case ProbeLogFormat.carriageReturn:
                    continue
                default:
                    isMalformed = true
                    bytes.append(byte)
                    state = .unquoted
                }
            }
        }
        guard sawAnything else { return false }
        // The input ended inside a record: the writer always ends rows with a newline, so this is a
        // row cut short (the runner was killed mid-write).
        endField()
        recordNumber += 1
        isMalformed = true
        return true
    }

    /// Offers the next record's bytes, without its newline, to `parse` when the record lies whole in the
    /// current chunk; if `parse` returns a value the record is consumed (and counted). Otherwise nothing
    /// is consumed and `next()` reads the record the general way (quotes, a record across chunks, errors).
    mutating func nextInPlace<T>(_ parse: (UnsafeBufferPointer<UInt8>) -> T?) -> T? {
        var result: T?
        _ = file.scan { chunk -> Int in
            guard let base = chunk.baseAddress, let hit = memchr(base, Int32(ProbeLogFormat.newline), chunk.count) else { return 0 }
            let length = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            result = parse(UnsafeBufferPointer(start: base, count: length))
            return result == nil ? 0 : length + 1
        }
        if result != nil { recordNumber += 1 }
        return result
    }

    /// The field's text; nil for an unquoted empty field (a missing value).
    func text(_ index: Int) -> String? {
        let field = fields[index]
        if field.range.isEmpty && !field.quoted { return nil }
        return String(decoding: bytes[field.range], as: UTF8.self)
    }

    /// The field as a decimal integer; nil when empty or not a valid Int64 (the fast path's rule, shared).
    func integer(_ index: Int) -> Int64? {
        let range = fields[index].range
        return bytes.withUnsafeBufferPointer { ProbeLogRow.integer(UnsafeBufferPointer(rebasing: $0[range])) }
    }

    /// Whether the field is empty and unquoted (a missing value).
    func isMissing(_ index: Int) -> Bool {
        fields[index].range.isEmpty && !fields[index].quoted
    }

    /// The read error that ended the input early, if any.
    var readFailure: ProbeLogError? { file.failure }
}
