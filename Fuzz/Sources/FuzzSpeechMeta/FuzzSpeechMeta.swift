import EmberData
import Foundation

/// Any bytes given as a speech corpus's `meta.json` (speech-digits or speech-tts) are
/// refused in one error or describe a corpus that writes and reads back the same, and
/// whose phoneme starts become frames that add up to the utterance's.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSpeechMeta(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    if let digits = try? SpeechDigits.decode(data, name: "fuzzed.json") {
        precondition(digits.utterances.allSatisfy { (0..<10).contains($0.digit) }, "a digit outside 0...9 was accepted")
        guard let again = try? SpeechDigits.decode(digits.json(), name: "again") else { fatalError("an accepted corpus does not read back") }
        precondition(again == digits, "the speech-digits round trip changed the corpus")
    }
    if let tts = try? SpeechTTS.decode(data, name: "fuzzed.json") {
        let features = SpokenPhonemes.Features(sampleRate: tts.sampleRate)
        for u in tts.utterances {
            let total = u.samples / SpokenPhonemes.Features.hop + 1
            let frames = features.frames(startsMs: u.startsMs, total: total)
            precondition(frames.count == u.phonemes.count && frames.allSatisfy { $0 >= 0 } && frames.reduce(0, +) == total,
                         "phoneme frames that do not add up")
        }
        guard let again = try? SpeechTTS.decode(tts.json(), name: "again") else { fatalError("an accepted corpus does not read back") }
        precondition(again == tts, "the speech-tts round trip changed the corpus")
    }
    return 0
}
