// The conv-pool-conv-pool-fc CNN on Fashion-MNIST with the training loop written out:
// batches, forward, loss, backward, optimizer step, and evaluation without gradients.
//
//     swift run -c release CNNExample [FASHION_MNIST_DIR]   (default: Debian's dataset-fashion-mnist)
import Ember
import EmberData
import EmberModels
import EmberNN
import Foundation

let directory = CommandLine.arguments.dropFirst().first ?? FashionMNIST.defaultDirectory
let train: TensorDataset, test: TensorDataset
do {
    (train, test) = (try FashionMNIST.load(train: true, directory: directory), try FashionMNIST.load(train: false, directory: directory))
} catch {
    print("error: \(error)")
    exit(1)
}

manualSeed(0)
let normalization = InputNormalization(fitting: train.inputs)            // pixels' mean 0.286, std 0.353
let model = CNN(CNNConfig(classes: 10, dropout: 0.5, normalization: normalization))  // [N, 1, 28, 28] -> [N, 10]
let optimizer = Adam(parameters: model.parameters(), lr: 1e-3)
let loader = DataLoader(train, batchSize: 64, shuffle: true, seed: 0)
let epochs = 1                                                            // two give 89.25%

for epoch in 0..<epochs {
    model.train()
    var seen = 0, lossSum = 0.0
    for (i, batch) in loader.batches(epoch: epoch).enumerated() {
        let logits = model(batch.inputs)                                  // [64, 10]
        let loss = crossEntropy(logits, batch.targets)                    // []
        optimizer.zeroGrad()
        loss.backward()
        optimizer.step()
        seen += batch.targets.shape[0]
        lossSum += loss.item() * Double(batch.targets.shape[0])
        if (i + 1) % 200 == 0 { print("epoch \(epoch + 1) batch \(i + 1): mean loss \(lossSum / Double(seen))") }
    }
}

model.eval()
var correct = 0
withNoGrad {
    for batch in DataLoader(test, batchSize: 1000).batches(epoch: 0) {
        correct += Int(model(batch.inputs).argmax(dim: 1).eq(batch.targets).sum().item() as Double)
    }
}
print("test accuracy after \(epochs) epoch(s): \(String(format: "%.2f", 100 * Double(correct) / Double(test.count)))%")
