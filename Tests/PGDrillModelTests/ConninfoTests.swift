import Testing
@testable import PGDrillModel

@Suite struct ConninfoTests {
    @Test(arguments: [
        ("host=a password=secret dbname=x", "host=a password=******** dbname=x"),
        ("host=a password = 'se cr\\'et' dbname=x", "host=a password = ******** dbname=x"),
        ("password=s1 sslpassword=s2", "password=******** sslpassword=********"),
        ("host=a PASSWORD=secret", "host=a PASSWORD=********"),
        ("host=a dbname=x", "host=a dbname=x"),
        ("postgresql://drill:s3cret@h:5432/db", "postgresql://drill:********@h:5432/db"),
        ("postgres://u@h/db?password=s3cret&sslmode=require", "postgres://u@h/db?password=********&sslmode=require"),
        ("postgresql://h1:5432,h2:5432/db?target_session_attrs=read-write", "postgresql://h1:5432,h2:5432/db?target_session_attrs=read-write"),
        ("host=a password='unterminated", "<conninfo redacted>"),
    ])
    func redaction(conninfo: String, redacted: String) {
        #expect(Conninfo.redacted(conninfo) == redacted)
        #expect(!Conninfo.redacted(conninfo).contains("secret") && !Conninfo.redacted(conninfo).contains("s3cret"))
    }

    @Test(arguments: [
        ("host=a password=x", true), ("host=a", false), ("host=a sslpassword=x", true), ("postgresql://u:p@h/db", true),
        ("postgresql://u:@h/db", true), ("postgresql://u@h/db?password=p", true), ("postgresql://u@h/db", false),
        ("host='pass word' dbname=password", false),
    ])
    func passwordDetection(conninfo: String, hasPassword: Bool) throws {
        #expect(try Conninfo.containsPassword(conninfo) == hasPassword)
    }

    @Test func malformedKeyValueFormsAreErrors() {
        #expect(throws: ConninfoSyntaxError.self) { try Conninfo.keys("host a") }
        #expect(throws: ConninfoSyntaxError.self) { try Conninfo.keys("host='x") }
    }

    @Test func appendingQuotesAndEncodes() throws {
        #expect(Conninfo.appending("passfile", "/tmp/my pass", to: "host=a ") == "host=a passfile='/tmp/my pass'")
        #expect(Conninfo.appending("passfile", "/p", to: "") == "passfile=/p")
        #expect(Conninfo.appending("passfile", "/a b", to: "postgresql://h/db") == "postgresql://h/db?passfile=/a%20b")
        #expect(Conninfo.appending("passfile", "/p", to: "postgresql://h/db?sslmode=require") == "postgresql://h/db?sslmode=require&passfile=/p")
        let quoted = Conninfo.appending("application_name", "it's \\ here", to: "host=a")
        let pairs = try KeyValueConninfo.parse(quoted)
        #expect(pairs.map(\.value) == ["a", "it's \\ here"])
    }

    @Test func keysOfBothForms() throws {
        #expect(try Conninfo.keys("host=a port=5 dbname=x") == ["host", "port", "dbname"])
        #expect(try Conninfo.keys("postgresql://u@h:5/db?sslmode=require") == ["user", "host", "dbname", "sslmode"])
    }
}
