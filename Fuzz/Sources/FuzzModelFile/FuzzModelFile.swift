import EmberModels
import Foundation

/// Any bytes given as a model file either are refused with an error or build a model
/// that loads their weights, without exhausting memory: the metadata is checked against
/// the tensors before anything is built.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzModelFile(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    guard let file = try? ModelFile(data, url: URL(fileURLWithPath: "fuzzed.safetensors")) else { return 0 }
    do {
        _ = try file.model()
    } catch {
        fatalError("a model file that was accepted does not load: \(error)")
    }
    return 0
}
