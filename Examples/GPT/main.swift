// A small character GPT (nanoGPT's architecture and names): trains with AdamW for a
// few hundred steps, then generates with the KV cache.
//
//     swift run -c release GPTExample [TEXT_FILE]   (default: data/shakespeare.txt, made by scripts/setup)
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
let config = GPTConfig(vocabSize: text.vocabulary.count, blockSize: 64, nLayer: 2, nHead: 4, nEmbd: 64)
let model = GPT(config)                                                           // [B, T] -> [B, T, V]
// Weight decay on the matrices only, as nanoGPT does.
let matrices = model.parameters().filter { $0.ndim >= 2 }, others = model.parameters().filter { $0.ndim < 2 }
let optimizer = AdamW(groups: [ParameterGroup(matrices, weightDecay: 0.1), ParameterGroup(others, weightDecay: 0)],
                      lr: 1e-3, betas: (0.9, 0.95))
let windows = DataLoader(TokenWindows(text.train, length: config.blockSize), batchSize: 32, seed: 0, samplesPerEpoch: 600 * 32)

for (step, batch) in windows.batches(epoch: 0).enumerated() {
    let logits = model(batch.inputs)                                              // [32, 64, V]
    let loss = crossEntropy(logits.reshape([-1, config.vocabSize]), batch.targets.reshape([-1]))
    optimizer.zeroGrad()
    loss.backward()
    clipGradNorm(model.parameters(), maxNorm: 1)
    optimizer.step()
    if (step + 1) % 100 == 0 { print("step \(step + 1): loss \(String(format: "%.3f", loss.item() as Double))") }
}

let prompt = (try? text.vocabulary.encode("ROMEO:")) ?? [0]
let continuation = model.generate(prompt: prompt, count: 200, sampler: TokenSampler(temperature: 0.8, topK: 20),
                                  generator: Generator(seed: 1))
print(text.vocabulary.decode(prompt + continuation))
