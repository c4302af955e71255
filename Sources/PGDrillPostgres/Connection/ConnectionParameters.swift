import CLibPQ

/// A conninfo string (key/value or URI form) parsed by libpq itself, plus the failure-detection settings
/// the probe relies on when the user did not choose them.
///
/// Parsing with `PQconninfoParse` and connecting with `expand_dbname = 0` keeps every libpq feature the
/// user may count on: parameters left out still come from `PG*` environment variables, `service=` files
/// and `.pgpass`/`passfile` at connect time, and multi-host lists with `target_session_attrs` are passed
/// through untouched. One caveat: a default added here overrides the same setting in a service file.
struct ConnectionParameters: Equatable {
    /// Keyword/value pairs in libpq's order, only those explicitly set (plus the added defaults).
    private(set) var pairs: [(keyword: String, value: String)]

    static func == (a: Self, b: Self) -> Bool {
        let aKeys: [String] = a.pairs.map { $0.keyword }
        let bKeys: [String] = b.pairs.map { $0.keyword }
        let aValues: [String] = a.pairs.map { $0.value }
        let bValues: [String] = b.pairs.map { $0.value }
        return aKeys == bKeys && aValues == bValues
    }

    /// Parses `conninfo`; throws `connectionFailed` (without quoting the string) when libpq rejects it.
    init(conninfo: String) throws {
        var errorMessage: UnsafeMutablePointer<CChar>? = nil
        guard let options = PQconninfoParse(conninfo, &errorMessage) else {
            let text = errorMessage.map { String(cString: $0) } ?? "out of memory"
            if let errorMessage { PQfreemem(errorMessage) }
            // libpq's parse errors can quote a fragment of the string (maybe a password): keep the
            // text for debugging only.
            throw PGError(
                code: .connectionFailed, message: "invalid connection string (libpq could not parse it)",
                commitState: .notSent, detail: text)
        }
        defer { PQconninfoFree(options) }
        var pairs: [(keyword: String, value: String)] = []
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val {
                pairs.append((String(cString: keyword), String(cString: value)))
            }
            option += 1
        }
        self.pairs = pairs
    }

    subscript(keyword: String) -> String? {
        pairs.first { $0.keyword == keyword }?.value
    }

    /// Adds TCP keepalives, `tcp_user_timeout` and `connect_timeout` derived from `timeout`, unless set.
    ///
    /// Keepalives (1 s idle, 1 s interval, 2 probes) notice a dead peer on an idle connection in ~3 s;
    /// `tcp_user_timeout` bounds unacknowledged data (and, on Linux, SYN retries, so a black-holed host
    /// of a multi-host list fails over to the next one). `connect_timeout` only matters to blocking
    /// libpq callers (PQconnectPoll leaves timing to us), but keeps the same bound if the string is
    /// reused elsewhere; libpq rounds values below 2 s up to 2 s.
    mutating func addFailureDetectionDefaults(timeout: Duration) {
        let millis: UInt64 = max(1, timeout.nanoseconds / 1_000_000)
        let seconds: UInt64 = max(2, (millis + 999) / 1_000)
        addIfAbsent("connect_timeout", String(seconds))
        addIfAbsent("keepalives", "1")
        addIfAbsent("keepalives_idle", "1")
        addIfAbsent("keepalives_interval", "1")
        addIfAbsent("keepalives_count", "2")
        addIfAbsent("tcp_user_timeout", String(millis))
    }

    private mutating func addIfAbsent(_ keyword: String, _ value: String) {
        if self[keyword] == nil { pairs.append((keyword, value)) }
    }

    /// Values that must never appear in an error description.
    var secrets: [String] {
        var found: [String] = []
        for pair in pairs where pair.keyword == "password" && !pair.value.isEmpty { found.append(pair.value) }
        return found
    }

    /// Calls `body` with NULL-terminated keyword and value arrays as `PQconnectStartParams` takes them.
    func withCArrays<R>(
        _ body: (UnsafePointer<UnsafePointer<CChar>?>, UnsafePointer<UnsafePointer<CChar>?>) -> R
    ) -> R {
        var keywords: [String?] = pairs.map { (pair) -> String? in pair.keyword }
        var values: [String?] = pairs.map { (pair) -> String? in pair.value }
        keywords.append(nil)
        values.append(nil)
        return CStringArray.with(keywords) { keywordArray in
            CStringArray.with(values) { valueArray in body(keywordArray, valueArray) }
        }
    }
}
