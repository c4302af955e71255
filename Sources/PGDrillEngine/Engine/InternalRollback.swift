import Foundation

/// A rollback the runner carries out itself through the managers' APIs rather than a script on a host (a
/// region failback, Patroni's maintenance mode): journalled as its prefix and its JSON, on the journal's
/// internal host, so `pgdrill recover` can finish it after the runner died. Credentials are never encoded.
protocol InternalRollback: Codable {
    /// `pgdrill-internal NAME `: tells one kind of internal rollback from another in the journal.
    static var prefix: String { get }
}

extension InternalRollback {
    /// The journal's text of the rollback, readable by `parse`.
    public var journalText: String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Self.prefix + String(decoding: try! e.encode(self), as: UTF8.self)
    }

    /// The rollback a journal entry holds, if it is of this kind.
    public static func parse(_ text: String) -> Self? {
        guard text.hasPrefix(prefix) else { return nil }
        return try? JSONDecoder().decode(Self.self, from: Data(text.dropFirst(prefix.count).utf8))
    }
}
