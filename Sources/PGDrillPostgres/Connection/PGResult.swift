import CLibPQ

/// The rows of a completed statement, copied out of libpq's `PGresult` so no C memory outlives the call.
/// Values are PostgreSQL's text representation; SQL NULL is `nil`.
public struct PGResult: Sendable, Equatable {
    /// Column names, in order.
    public var columns: [String]
    /// One array per row, one optional value per column.
    public var rows: [[String?]]
    /// The command tag, e.g. `INSERT 0 1` or `SELECT 3`.
    public var commandStatus: String

    public init(columns: [String], rows: [[String?]], commandStatus: String) {
        self.columns = columns
        self.rows = rows
        self.commandStatus = commandStatus
    }

    /// What a request that returned no result at all reads as.
    static let empty = PGResult(columns: [], rows: [], commandStatus: "")

    /// Copies a `PGRES_TUPLES_OK` / `PGRES_COMMAND_OK` result. The caller still owns (and clears) it.
    init(copying result: OpaquePointer) {
        let columnCount = PQnfields(result)
        let rowCount = PQntuples(result)
        columns = (0..<columnCount).map { String(cString: PQfname(result, $0)) }
        var rows: [[String?]] = []
        rows.reserveCapacity(Int(rowCount))
        for row in 0..<rowCount {
            var values: [String?] = []
            values.reserveCapacity(Int(columnCount))
            for column in 0..<columnCount {
                if PQgetisnull(result, row, column) != 0 {
                    values.append(nil)
                } else {
                    values.append(String(cString: PQgetvalue(result, row, column)))
                }
            }
            rows.append(values)
        }
        self.rows = rows
        commandStatus = String(cString: PQcmdStatus(result))
    }
}
