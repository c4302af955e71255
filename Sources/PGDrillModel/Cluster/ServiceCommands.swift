/// The shell commands that start, stop and query one service on a host, run over SSH.
///
/// Defaults are `systemctl start|stop|is-active NAME`; clusters without systemd (the lab, many
/// containers) give their own. `status` must exit 0 exactly when the service runs.
public struct ServiceCommands: Sendable, Hashable {
    public var start: String
    public var stop: String
    public var status: String

    public init(start: String, stop: String, status: String) {
        self.start = start
        self.stop = stop
        self.status = status
    }

    /// The systemd commands for a unit named after the component.
    public static func systemd(_ component: ClusterComponent) -> ServiceCommands {
        ServiceCommands(start: "systemctl start \(component)", stop: "systemctl stop \(component)",
                        status: "systemctl is-active \(component)")
    }
}
