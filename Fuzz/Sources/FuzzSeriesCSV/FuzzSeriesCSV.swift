import EmberData
import Foundation

/// Any bytes given as a series file are refused naming a line, or read as finite
/// numbers.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSeriesCSV(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    guard let values = try? TimeSeries.parse(data, name: "fuzzed.csv") else { return 0 }
    precondition(values.allSatisfy(\.isFinite), "a non-finite value was read")
    return 0
}
