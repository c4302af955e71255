// The probe's record types live in PGDrillProbeRecord (so PGDrillPostgres need not import the analysis);
// every user of PGDrillCore sees them as before.
@_exported import PGDrillProbeRecord
