import Ember
import Foundation

/// Any bytes given to the safetensors reader either decode or throw; what decodes
/// encodes again and reads back the same.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafeTensors(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    guard let (tensors, metadata) = try? SafeTensors.decode(data) else { return 0 }
    guard let again = try? SafeTensors.decode(SafeTensors.encode(tensors, metadata: metadata)) else {
        fatalError("a file that decoded does not decode once encoded again")
    }
    precondition(again.metadata == metadata && again.tensors.map(\.name) == tensors.map(\.name), "the round trip changed the file")
    for (a, b) in zip(again.tensors, tensors) {
        precondition(a.tensor.shape == b.tensor.shape && a.tensor.dtype == b.tensor.dtype, "the round trip changed \(a.name)")
    }
    return 0
}
