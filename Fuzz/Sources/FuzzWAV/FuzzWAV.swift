import EmberAudio
import Foundation

/// Any bytes given to the WAV reader decode to finite samples in a shape that matches
/// the header, or throw; what decodes encodes again and reads back the same.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWAV(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    guard let (waveform, rate) = try? WAV.decode(data, name: "fuzzed.wav") else { return 0 }
    precondition(waveform.ndim == 2 && rate > 0, "a waveform without channels or rate")
    let floats = waveform.floats
    precondition(floats.allSatisfy(\.isFinite), "a non-finite sample was read")
    guard let (again, sameRate) = try? WAV.decode(WAV.encode(waveform, sampleRate: rate, encoding: .float32)) else {
        fatalError("a waveform that decoded does not decode once encoded again")
    }
    precondition(sameRate == rate && again.floats == floats, "the round trip changed the samples")
    return 0
}
