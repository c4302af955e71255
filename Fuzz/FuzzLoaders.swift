// libFuzzer entry point for the drill and cluster loaders (`make fuzz`, see README "Fuzzing").
//
// Every input is given to both loaders exactly as a file's bytes would be (size cap, encoding and NUL
// checks, token scan, Yams, the typed parsers). Throwing a `DrillFileError` is the expected outcome
// for nearly every input; a crash, a trap, a leak of time (libFuzzer's -timeout) is a finding. The
// rendered error is built too, since `pgdrill validate` prints it.
import PGDrillModel

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLoaders(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    do {
        let drill = try DrillLoader.load(bytes: bytes, file: "fuzz.yaml")
        _ = drill.fault.map(\.description)
    } catch {
        precondition(!error.description.isEmpty)
    }
    do {
        _ = try ClusterLoader.load(bytes: bytes, file: "/nonexistent/fuzz.yaml")
    } catch {
        precondition(!error.description.isEmpty)
    }
    return 0
}
