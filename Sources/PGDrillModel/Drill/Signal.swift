import Foundation

/// A POSIX signal for `kill` steps, by name (`KILL`, `TERM`, …) or number (1…64).
///
/// Numbers are Linux's, where the nodes run. Names are the ones a drill has a reason to send; any other
/// signal can still be given by number.
public struct Signal: DrillValue, Hashable {
    /// The signal number on Linux.
    public let number: Int32
    /// The name it was written with, if it has one; `description` prints it rather than the number.
    public let name: String?

    public static let kill = Signal(number: 9, name: "KILL")
    public static let term = Signal(number: 15, name: "TERM")

    static let named: [Signal] = [
        Signal(number: 1, name: "HUP"), Signal(number: 2, name: "INT"), Signal(number: 3, name: "QUIT"),
        .kill, .term, Signal(number: 18, name: "CONT"), Signal(number: 19, name: "STOP"),
    ]

    private init(number: Int32, name: String?) {
        self.number = number
        self.name = name
    }

    public init(parsing text: String) throws(ValueParseError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let number = Int32(trimmed) {
            guard (1...64).contains(number) else {
                throw ValueParseError("must be a signal number from 1 to 64, got \(ValueParseError.quoted(text))")
            }
            self = Self.named.first { $0.number == number } ?? Signal(number: number, name: nil)
            return
        }
        let upper = trimmed.uppercased()
        let bare = upper.hasPrefix("SIG") ? String(upper.dropFirst(3)) : upper
        guard let signal = Self.named.first(where: { $0.name == bare }) else {
            let names = Self.named.compactMap(\.name)
            let suggestion = Suggestion.closest(to: bare, among: names).map { " (did you mean '\($0)'?)" } ?? ""
            throw ValueParseError("must be a signal name or number, got \(ValueParseError.quoted(text))\(suggestion)",
                                  hint: "names are \(Suggestion.list(names)); any signal by number 1..64")
        }
        self = signal
    }

    public var description: String { name ?? String(number) }

    public static func == (lhs: Signal, rhs: Signal) -> Bool { lhs.number == rhs.number }
    public func hash(into hasher: inout Hasher) { hasher.combine(number) }
}
