// Speech synthesis with the training loop written out: a convolutional FastSpeech
// (`Synthesizer`) learns espeak-ng's log-mels and phoneme durations for digit strings
// (`ember data speech-tts`), then speaks a string it never heard. Griffin-Lim makes the
// mels audible, and the mel-cepstral distortion says how far they are from the teacher's.
//
//     ember data speech-tts --out data/speech-tts
//     swift run -c release SpeechSynthesisExample [CORPUS_DIR]   (default: data/speech-tts)
import Ember
import EmberAudio
import EmberData
import EmberModels
import EmberNN
import Foundation

let directory = URL(fileURLWithPath: CommandLine.arguments.dropFirst().first ?? "data/speech-tts")
let train: SpokenPhonemes, test: SpokenPhonemes, phonemes: [String]
do {
    // Phoneme ids are places in the sorted inventory of the training strings (0 pads).
    let corpus = try SpeechTTS.read(directory.appendingPathComponent("meta.json"))
    phonemes = Set(corpus.utterances.filter { $0.split == "train" }.flatMap(\.phonemes)).sorted()
    train = try SpokenPhonemes(directory: directory, split: "train", vocabulary: phonemes)
    test = try SpokenPhonemes(directory: directory, split: "test", vocabulary: phonemes)
} catch {
    print("error: \(error)")
    exit(1)
}

manualSeed(0)
let model = Synthesizer(SynthesizerConfig(phonemes: phonemes))   // ids [T] -> log-mels [F, 80]
let optimizer = Adam(parameters: model.parameters(), lr: 1e-3)
let loader = DataLoader(train, batchSize: 16, shuffle: true, seed: 0)
let epochs = 10

for epoch in 0..<epochs {
    model.train()
    var seen = 0, lossSum = 0.0
    for batch in loader.batches(epoch: epoch) {
        // inputs [16, 2, T]: ids and the teacher's frames per phoneme; targets [16, F, 80].
        let loss = model.loss(inputs: batch.inputs, targets: batch.targets)   // mel L1 + log-duration MSE
        optimizer.zeroGrad()
        loss.backward()
        optimizer.step()
        seen += batch.targets.shape[0]
        lossSum += loss.item() * Double(batch.targets.shape[0])
    }
    print(String(format: "epoch %d: mean training loss %.4f", epoch + 1, lossSum / Double(seen)))
}

// Speak the first unheard string with predicted durations, hear it, and compare.
model.eval()
let features = test.features
let mels = model.synthesize(test.ids[0])                        // [F, 80]
let audio = features.waveform(mels)                             // [(F - 1) · 256] at 22,050 Hz
let peak = audio.abs().max().item() as Double
let out = URL(fileURLWithPath: "synthesized.wav")
do {
    try WAV.write((peak > 0.9 ? audio * (0.9 / peak) : audio).unsqueeze(0), sampleRate: features.sampleRate, to: out)
} catch {
    print("error: cannot write \(out.path): \(error)")
    exit(1)
}
let distortion = MelCepstralDistortion()(features(audio), test.mels[0])
print(String(format: "wrote %@: \"%@\", never heard in training; MCD %.2f dB from espeak-ng's", out.path, test.utterances[0].text, distortion))
