extension AvailabilityTarget {
    /// `availability: { slo: 99.99%, period: 30d, failures_per_period: 1 }`; `slo` is required.
    init(_ field: Field) throws(DrillFileError) {
        let map = try field.mapping(allowed: ["slo", "period", "failures_per_period"],
                                    example: "{ slo: 99.99%, period: 30d, failures_per_period: 1 }")
        let sloField = try map.required("slo", example: "slo: 99.99%")
        let slo: Percentage = try sloField.value()
        guard slo.percent > 0, slo.percent < 100 else {
            throw sloField.error(.invalidValue, "must be more than 0% and less than 100%, got '\(slo)'",
                                 hint: "write the availability objective, e.g. slo: 99.99% (100% would allow no downtime at all)")
        }
        self.init(slo: slo,
                  period: try map["period"]?.duration(in: Self.shortestPeriod...DrillDuration.longest) ?? Self.defaultPeriod,
                  failuresPerPeriod: try map["failures_per_period"]?.int(in: 1...Self.maximumFailuresPerPeriod) ?? 1)
    }
}
