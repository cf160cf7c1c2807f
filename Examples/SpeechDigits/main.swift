// Spoken-digit recognition with the training loop written out: log-mel features of
// espeak-ng's synthetic speech (`ember data speech-digits`), a 1-D CNN, and accuracy on
// voices never heard in training, clean and under the hard protocol (random place,
// gain and noise at 0–20 dB SNR).
//
//     ember data speech-digits --count 10000 --out data/speech-digits
//     swift run -c release SpeechDigitsExample [CORPUS_DIR]   (default: data/speech-digits)
import Ember
import EmberData
import EmberModels
import EmberNN
import Foundation

let directory = URL(fileURLWithPath: CommandLine.arguments.dropFirst().first ?? "data/speech-digits")
let train: SpokenDigits, test: SpokenDigits
do {
    // Training hears each utterance twice an epoch, placed, scaled and mostly noisy.
    train = try SpokenDigits(directory: directory, split: "train",
                             augmentation: SpokenDigits.Augmentation(noiseProbability: 0.75), copies: 2, seed: 0)
    test = try SpokenDigits(directory: directory, split: "test")   // the clean protocol
} catch {
    print("error: \(error)")
    exit(1)
}

manualSeed(0)
let model = DigitRecognizer(DigitRecognizerConfig())           // [N, 1, 40, 151] -> [N, 10]
let optimizer = Adam(parameters: model.parameters(), lr: 1e-3)
let loader = DataLoader(train, batchSize: 64, shuffle: true, seed: 0)
let epochs = 2

for epoch in 0..<epochs {
    model.train()
    var seen = 0, lossSum = 0.0
    for (i, batch) in loader.batches(epoch: epoch).enumerated() {
        let logits = model(batch.inputs)                        // [64, 10]
        let loss = crossEntropy(logits, batch.targets)          // []
        optimizer.zeroGrad()
        loss.backward()
        optimizer.step()
        seen += batch.targets.shape[0]
        lossSum += loss.item() * Double(batch.targets.shape[0])
        if (i + 1) % 50 == 0 { print("epoch \(epoch + 1) batch \(i + 1): mean loss \(lossSum / Double(seen))") }
    }
}

/// The share of `data` the model gets right.
func accuracy(_ data: SpokenDigits) -> Double {
    model.eval()
    var correct = 0
    withNoGrad {
        for batch in DataLoader(data, batchSize: 256).batches(epoch: 0) {
            correct += Int(model(batch.inputs).argmax(dim: 1).eq(batch.targets).sum().item() as Double)
        }
    }
    return Double(correct) / Double(data.count)
}
let hard = test.augmented(SpokenDigits.Augmentation(), seed: 1)
print(String(format: "test voices after %d epochs: %.2f%% clean, %.2f%% hard", epochs, 100 * accuracy(test), 100 * accuracy(hard)))
