import EmberData
import Foundation

/// Any bytes given to the IDX reader, plain or gzip-compressed, decode to the shape
/// their header declares or throw; none inflates far past what it announces.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIDX(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    guard let tensor = try? IDX.decode(data, name: "fuzzed") else { return 0 }
    precondition(tensor.ndim >= 1, "an IDX array without dimensions")
    return 0
}
