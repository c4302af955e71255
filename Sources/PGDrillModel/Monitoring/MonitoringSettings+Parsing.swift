import Foundation

extension MonitoringSettings {
    static let keys = ["prometheus", "alertmanager", "matchers", "silence"] + HTTPAccess.keys

    /// `monitoring: { prometheus: URL, alertmanager: URL, matchers: { cluster: lab }, silence: true }` and the
    /// TLS/credential keys of `HTTPAccess` (one set for both APIs, as a monitoring stack behind one proxy has).
    init(_ field: Field, paths: PathResolver) throws(DrillFileError) {
        let example = "monitoring: { prometheus: \"http://prometheus:9090\", alertmanager: \"http://alertmanager:9093\", matchers: { cluster: main } }"
        let map = try field.mapping(allowed: Self.keys, example: example)
        let prometheus = try map.required("prometheus", example: "prometheus: \"http://prometheus:9090\"").httpURL()
        let alertmanager = try map["alertmanager"]?.httpURL()
        // A shared Prometheus is the rule: without matchers another cluster's page would refuse, abort or
        // satisfy this cluster's drills. An empty mapping says "this server watches only this cluster".
        let matchersField = try map.required("matchers", example: "matchers: { cluster: main }   # or {} for a Prometheus of this cluster alone")
        let labels = try matchersField.mapping(allowed: nil, example: "matchers: { cluster: main }")
        var matchers: [LabelMatcher] = []
        for key in labels.keys {
            guard AlertExpectations.isValidName(key) else {
                throw labels[key]!.error(.invalidValue, "'\(key)' is not a Prometheus label name", hint: "label names are letters, digits and _ (not first a digit)")
            }
            matchers.append(LabelMatcher(name: key, value: try labels[key]!.scalar()))
        }
        let silence = try map["silence"]?.bool() ?? false
        if silence, alertmanager == nil {
            throw map["silence"]!.error(.missingKey, "needs monitoring.alertmanager: the silence is created there",
                                        hint: "add alertmanager: \"http://alertmanager:9093\", or remove silence")
        }
        if silence, matchers.isEmpty {
            throw map["silence"]!.error(.conflict, "needs matchers: a silence without them would silence every alert of the Alertmanager",
                                        hint: "matchers: { cluster: main } — the labels of this cluster's alerts")
        }
        self.init(prometheus: prometheus, alertmanager: alertmanager, matchers: matchers, silence: silence,
                  access: try HTTPAccess(map, setting: "monitoring", paths: paths))
    }
}

extension AlertExpectations {
    /// `alerts: { fire: [{ name: PostgreSQLWALVolumeFull, within: 2m }], resolve_within: 5m, forbid: [PostgreSQLNoLeader] }`
    init(_ field: Field) throws(DrillFileError) {
        let map = try field.mapping(allowed: ["fire", "resolve_within", "forbid"],
                                    example: "alerts: { fire: [{ name: PostgreSQLWALVolumeFull, within: 2m }], resolve_within: 5m }")
        var fire: [Fire] = []
        for item in try map["fire"]?.list(example: "fire: [{ name: PostgreSQLNoLeader, within: 1m }]") ?? [] {
            let entry = try item.mapping(allowed: ["name", "within"], example: "{ name: PostgreSQLNoLeader, within: 1m }")
            let nameField = try entry.required("name", example: "name: PostgreSQLNoLeader")
            let name = try Self.alertName(nameField)
            guard !fire.contains(where: { $0.name == name }) else {
                throw nameField.error(.duplicateName, "lists alert '\(name)' twice in fire")
            }
            let within = try entry.required("within", example: "within: 1m").duration(in: .seconds(1)...DrillDuration.maximum)
            fire.append(Fire(name: name, within: within, line: nameField.mark?.line))
        }
        var forbid: [String] = []
        for item in try map["forbid"]?.oneOrMany() ?? [] {
            let name = try Self.alertName(item)
            if fire.contains(where: { $0.name == name }) {
                throw item.error(.conflict, "forbids '\(name)', which fire expects: an alert cannot both fire and not fire")
            }
            guard !forbid.contains(name) else { throw item.error(.duplicateName, "lists alert '\(name)' twice in forbid") }
            forbid.append(name)
        }
        let resolveWithin = try map["resolve_within"]?.duration(in: .seconds(1)...DrillDuration.maximum)
        if resolveWithin != nil, fire.isEmpty {
            throw map["resolve_within"]!.error(.conflict, "judges the alerts of fire, and fire lists none",
                                               hint: "add fire: [{ name: …, within: … }], or remove resolve_within")
        }
        guard !fire.isEmpty || !forbid.isEmpty else {
            throw field.error(.invalidValue, "expects nothing: give fire, forbid or both",
                              hint: "alerts: { fire: [{ name: PostgreSQLNoLeader, within: 1m }] }")
        }
        self.init(fire: fire, resolveWithin: resolveWithin, forbid: forbid)
    }

    static func alertName(_ field: Field) throws(DrillFileError) -> String {
        let name = try field.scalar(expecting: "an alert name")
        guard isValidName(name) else {
            throw field.error(.invalidValue, "'\(name)' is not an alert name (the `alert:` of a Prometheus rule: letters, digits and _)")
        }
        return name
    }
}
