// A 784-256-128-10 MLP on Fashion-MNIST with Ember's training loop: progress bar,
// validation every epoch, early stopping, and the test accuracy at the end.
//
//     swift run -c release MLPExample [FASHION_MNIST_DIR]   (default: Debian's dataset-fashion-mnist)
import Ember
import EmberData
import EmberModels
import EmberNN
import Foundation
import EmberTrain

let directory = CommandLine.arguments.dropFirst().first ?? FashionMNIST.defaultDirectory
let train: TensorDataset, test: TensorDataset
do {
    (train, test) = (try FashionMNIST.load(train: true, directory: directory), try FashionMNIST.load(train: false, directory: directory))
} catch {
    print("error: \(error)")
    exit(1)
}
let split = trainValidationSplit(train, validationCount: 5000, seed: 0)   // 55,000 / 5,000 images [N, 1, 28, 28]

manualSeed(0)
let model = MLP(MLPConfig(inFeatures: 784, hidden: [256, 128], classes: 10,       // [N, 1, 28, 28] -> [N, 10]
                          normalization: InputNormalization(fitting: split.train)))
let trainer = Trainer(model: model, optimizer: Adam(parameters: model.parameters(), lr: 1e-3),
                      train: DataLoader(split.train, batchSize: 128, shuffle: true, seed: 0),
                      validation: DataLoader(split.validation, batchSize: 1000), epochs: 3,
                      callbacks: [ProgressBar(), EarlyStopping(patience: 2)])
try trainer.fit()
let result = Trainer.evaluate(model, DataLoader(test, batchSize: 1000))
print("test accuracy \(String(format: "%.2f", 100 * result.accuracy!))%, \(model.parameterCount) parameters")
