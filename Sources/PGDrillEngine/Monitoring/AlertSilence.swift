import Foundation
import PGDrillModel

/// The Alertmanager silence a drill holds so that a scheduled drill pages nobody. Journalled before it is
/// created, as a token its comment carries rather than its id (a runner killed between the request and the
/// answer leaves a silence whose id it never learnt): `pgdrill recover` expires every unexpired silence with
/// the token. Credentials come from the cluster file at run time, never from the journal.
struct AlertSilence: InternalRollback, Sendable, Equatable {
    var alertmanager: URL
    var token: String

    static let prefix = "pgdrill-internal expire-silence "
    /// Every drill's token starts so: `check` finds a silence a killed run left by it.
    static let tokenPrefix = "pgdrill-silence-"

    /// The comment the silence is created with.
    func comment(drill: String, runID: String) -> String {
        "pgdrill drill '\(drill)' (run \(runID)): alerts are expected, nobody needs paging. \(token)"
    }

    /// Expires every silence carrying the token; how many.
    @discardableResult
    func expire(_ api: AlertAPI) throws -> Int {
        let open = try api.silences(containing: token)
        for silence in open { try api.expireSilence(silence.id) }
        return open.count
    }

    /// The API for this silence's Alertmanager, with the cluster file's monitoring credentials when it has them.
    func api(_ monitoring: (settings: MonitoringSettings, access: HTTPCredentials)?) -> AlertAPI {
        var settings = monitoring?.settings ?? MonitoringSettings(prometheus: alertmanager)
        settings.alertmanager = alertmanager
        return AlertAPI(settings: settings, access: monitoring?.access ?? .none, timeout: 5)
    }
}
