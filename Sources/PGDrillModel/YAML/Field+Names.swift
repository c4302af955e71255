import Foundation

/// Conversions for names, hosts, URLs, paths and conninfo strings.
extension Field {
    /// A node, proxy or endpoint name (`ResourceName.isValid`).
    func resourceName() throws(DrillFileError) -> String {
        let name = try scalar()
        guard ResourceName.isValid(name) else {
            throw error(.invalidValue, "must be lower-case letters, digits and '_.-', starting with a letter or digit (at most 63), got \(ValueParseError.quoted(name))")
        }
        return name
    }

    /// A drill or cluster name (`ResourceName.isValidDrillName`): it names report folders.
    func drillName() throws(DrillFileError) -> String {
        let name = try scalar()
        guard ResourceName.isValidDrillName(name) else {
            throw error(.invalidValue, "must be lower-case letters, digits and '-', starting with a letter or digit (at most 63), got \(ValueParseError.quoted(name))")
        }
        return name
    }

    /// A host name or address, with IPv6 brackets removed.
    func host() throws(DrillFileError) -> String {
        let host = try scalar()
        if let problem = HostAddress.problem(with: host) {
            throw error(.invalidValue, "\(problem), got \(ValueParseError.quoted(host))")
        }
        return host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
    }

    /// An `http://` or `https://` URL with a host (Patroni's REST API, HAProxy's stats page).
    func httpURL() throws(DrillFileError) -> URL {
        let text = try scalar()
        guard let url = URL(string: text), ["http", "https"].contains(url.scheme), url.host?.isEmpty == false else {
            throw error(.invalidValue, "must be an http:// or https:// URL with a host, got \(ValueParseError.quoted(text))")
        }
        return url
    }

    /// An absolute path on a remote node (`RemotePath`): it goes into remote commands.
    /// `placeholder`: a token allowed in the path (e.g. repmgr's `{node}`), checked as if it were a plain name.
    func remotePath(allowing placeholder: String? = nil) throws(DrillFileError) -> String {
        let path = try scalar(expecting: "a path")
        let checked = placeholder.map { path.replacingOccurrences(of: $0, with: "node") } ?? path
        if let problem = RemotePath.problem(with: checked) {
            throw error(.invalidValue, "\(problem), got \(ValueParseError.quoted(path))",
                        hint: "write an absolute path such as /var/lib/postgresql/15/main")
        }
        return path
    }

    /// A libpq conninfo that parses and holds no password. The message never repeats the string.
    func conninfo() throws(DrillFileError) -> String {
        let conninfo = try scalar(expecting: "a libpq conninfo string")
        let hasPassword: Bool
        do {
            hasPassword = try Conninfo.containsPassword(conninfo)
        } catch {
            throw self.error(.invalidValue, "is not a valid libpq conninfo: it \(error.reason)",
                             hint: "write key=value pairs (quote values with spaces in single quotes) or a postgresql:// URI")
        }
        guard !hasPassword else {
            throw error(.secret, "contains a password: put the password in a passfile/.pgpass, not the cluster file",
                        hint: "set postgres.passfile (or PGPASSFILE) and remove the password from this string")
        }
        return conninfo
    }
}
