// espeak-align: speaks one text with libespeak-ng and reports when each phoneme
// starts. It is the only program here that links espeak-ng (GPL-3): `ember data
// speech-tts` runs it as a separate process, as it runs `espeak-ng` itself.
//
//     espeak-align VOICE TEXT OUT.wav
//
// OUT.wav gets the speech (22,050 Hz mono 16-bit PCM, espeak-ng's only format) and
// standard output one line: the number of samples, then each phoneme's espeak-ng
// mnemonic (ASCII, no spaces) and start in milliseconds, separated by spaces. One text
// a process: what espeak-ng spoke before changes how it speaks the next, and a corpus
// must not depend on which texts one process spoke. Errors go to standard error and
// the exit status is 1.
import CEspeakNG
import Foundation

/// What the synthesis callback collects.
nonisolated(unsafe) var samples: [Int16] = []
nonisolated(unsafe) var phonemes: [(name: String, startMS: Int)] = []

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("espeak-align: \(message)\n".utf8))
    exit(1)
}

/// A RIFF WAVE file of 16-bit mono PCM at `rate`.
func wav(_ samples: [Int16], rate: Int) -> Data {
    var data = Data()
    func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { data.append(contentsOf: $0) } }
    func u16(_ v: Int) { withUnsafeBytes(of: UInt16(v).littleEndian) { data.append(contentsOf: $0) } }
    data.append(contentsOf: Array("RIFF".utf8)); u32(36 + 2 * samples.count); data.append(contentsOf: Array("WAVE".utf8))
    data.append(contentsOf: Array("fmt ".utf8)); u32(16); u16(1); u16(1); u32(rate); u32(2 * rate); u16(2); u16(16)
    data.append(contentsOf: Array("data".utf8)); u32(2 * samples.count)
    for s in samples { withUnsafeBytes(of: s.littleEndian) { data.append(contentsOf: $0) } }
    return data
}

let arguments = CommandLine.arguments
guard arguments.count == 4, !arguments[2].isEmpty else { fail("usage: espeak-align VOICE TEXT OUT.wav") }
let (voice, text, out) = (arguments[1], arguments[2], URL(fileURLWithPath: arguments[3]))

let rate = Int(espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, nil, 1))   // bit 0: phoneme events
guard rate > 0 else { fail("espeak-ng did not start (is its data installed?)") }
/// Selects `voice` by name (`en-us`, `en-us+m3`), else by language (`en-gb`), as the
/// `espeak-ng -v` option does.
func select(_ voice: String) -> Bool {
    if espeak_SetVoiceByName(voice) == EE_OK { return true }
    var properties = espeak_VOICE()
    return voice.withCString { language in
        properties.languages = language
        return espeak_SetVoiceByProperties(&properties) == EE_OK
    }
}
guard select(voice) else { fail("espeak-ng has no voice '\(voice)'") }
espeak_SetSynthCallback { wave, count, events in
    if let wave, count > 0 { samples.append(contentsOf: UnsafeBufferPointer(start: wave, count: Int(count))) }
    var event = events
    while let e = event, e.pointee.type != espeakEVENT_LIST_TERMINATED {
        if e.pointee.type == espeakEVENT_PHONEME {
            let name = withUnsafeBytes(of: e.pointee.id.string) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            phonemes.append((name, Int(e.pointee.audio_position)))
        }
        event = e + 1
    }
    return 0
}

let status = text.withCString { espeak_Synth($0, strlen($0) + 1, 0, POS_CHARACTER, 0, UInt32(espeakCHARS_UTF8), nil, nil) }
guard status == EE_OK else { fail("espeak-ng could not speak '\(text)'") }
guard espeak_Synchronize() == EE_OK, !samples.isEmpty else { fail("espeak-ng gave no audio for '\(text)'") }
espeak_Terminate()
do {
    try wav(samples, rate: rate).write(to: out)
} catch {
    fail("cannot write \(out.path): \(error.localizedDescription)")
}
print(([String(samples.count)] + phonemes.map { "\($0.name) \($0.startMS)" }).joined(separator: " "))
