// A character-level LSTM language model: trains on a text for a few hundred steps,
// then writes a continuation of a prompt.
//
//     swift run -c release LSTMExample [TEXT_FILE]   (default: data/shakespeare.txt, made by scripts/setup)
import Ember
import EmberData
import EmberModels
import EmberNN
import Foundation

let path = CommandLine.arguments.dropFirst().first ?? "data/shakespeare.txt"
let text: TextCorpus
do {
    text = try TextCorpus(path: path, hint: "build it with scripts/setup, or name a text file")
} catch {
    print("error: \(error)")
    exit(1)
}

manualSeed(0)
let vocabulary = text.vocabulary.count
let model = CharRNN(CharRNNConfig(arch: .lstm, vocabSize: vocabulary, embed: 64, hidden: 256))   // [B, T] -> [B, T, V]
let optimizer = Adam(parameters: model.parameters(), lr: 2e-3)
let windows = DataLoader(TokenWindows(text.train, length: 64), batchSize: 32, seed: 0, samplesPerEpoch: 600 * 32)

for (step, batch) in windows.batches(epoch: 0).enumerated() {
    let logits = model(batch.inputs)                                                  // [32, 64, V]
    let loss = crossEntropy(logits.reshape([-1, vocabulary]), batch.targets.reshape([-1]))
    optimizer.zeroGrad()
    loss.backward()
    clipGradNorm(model.parameters(), maxNorm: 1)
    optimizer.step()
    if (step + 1) % 100 == 0 { print("step \(step + 1): loss \(String(format: "%.3f", loss.item() as Double))") }
}

let prompt = (try? text.vocabulary.encode("ROMEO:")) ?? [0]
let continuation = model.generate(prompt: prompt, count: 200, sampler: TokenSampler(temperature: 0.8), generator: Generator(seed: 1))
print(text.vocabulary.decode(prompt + continuation))
