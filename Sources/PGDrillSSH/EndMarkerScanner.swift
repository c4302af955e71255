/// Splits one output stream of the remote shell into a command's bytes and its end marker line.
///
/// Output arrives in arbitrary chunks, so the marker may be split across reads; the scanner
/// keeps every byte and only looks at the part of the stream not searched before.
struct EndMarkerScanner: Sendable {
    private let marker: [UInt8]
    private var buffer: [UInt8] = []
    private var searchFrom = 0
    private var markerStart: Int?
    /// The exit status on the marker line, once that line is complete.
    private(set) var exitStatus: Int32?

    init(marker: String) {
        self.marker = Array(marker.utf8)
    }

    /// True once the marker line has been seen in full.
    var isComplete: Bool { exitStatus != nil }

    /// The command's bytes: everything before the marker (everything so far until it is seen).
    var output: ArraySlice<UInt8> { buffer[..<(markerStart ?? buffer.count)] }

    mutating func consume(_ bytes: ArraySlice<UInt8>) {
        guard !isComplete else { return }  // stray output after the marker belongs to nobody
        buffer.append(contentsOf: bytes)
        if markerStart == nil {
            markerStart = find(marker, from: searchFrom)
            searchFrom = max(0, buffer.count - marker.count + 1)
        }
        guard let start = markerStart else { return }
        let statusStart = start + marker.count
        guard let newline = buffer[statusStart...].firstIndex(of: UInt8(ascii: "\n")) else { return }
        let text = String(decoding: buffer[statusStart..<newline], as: UTF8.self)
        exitStatus = Int32(text.drop(while: { $0 == " " })) ?? -1
    }

    private func find(_ needle: [UInt8], from start: Int) -> Int? {
        guard buffer.count - start >= needle.count else { return nil }
        var index = start
        let last = buffer.count - needle.count
        while index <= last {
            guard let candidate = buffer[index...last].firstIndex(of: needle[0]) else { return nil }
            if buffer[candidate..<(candidate + needle.count)].elementsEqual(needle) { return candidate }
            index = candidate + 1
        }
        return nil
    }
}
