import Testing
@testable import PGDrillModel

@Suite struct ByteSizeTests {
    /// MB is MiB, as in PostgreSQL's GUCs.
    @Test(arguments: [
        ("64MB", 64 << 20, "64MB"), ("1MiB", 1 << 20, "1MB"), ("512kB", 512 << 10, "512kB"), ("1GB", 1 << 30, "1GB"),
        ("0", 0, "0B"), ("0B", 0, "0B"), ("1000B", 1000, "1000B"), ("1024B", 1024, "1kB"), ("64mb", 64 << 20, "64MB"),
        ("1.5GB", 3 << 29, "1536MB"), ("2TB", 2 << 40, "2TB"), ("40 MB", 40 << 20, "40MB"), ("1KiB", 1024, "1kB"),
    ] as [(String, Int64, String)])
    func parsesAndPrints(text: String, bytes: Int64, printed: String) throws {
        let size = try ByteSize(parsing: text)
        #expect(size.bytes == bytes)
        #expect(size.description == printed)
        #expect(try ByteSize(parsing: size.description) == size)
    }

    @Test(arguments: [
        ("64", "needs a unit"), ("-1MB", "must not be negative"), ("1XB", "unknown unit 'XB'"), ("0.1kB", "not a whole number of bytes"),
        ("lots", "must be a size"), ("99999999999TB", "too large"),
    ])
    func refuses(text: String, reason: String) {
        #expect {
            _ = try ByteSize(parsing: text)
        } throws: { error in
            (error as? ValueParseError)?.reason.contains(reason) == true
        }
    }
}
