// A single perceptron learns AND with Rosenblatt's rule and fails on XOR, which a
// two-layer network trained by backpropagation then learns.
//
//     swift run -c release PerceptronExample
import Ember
import EmberNN

let inputs = Tensor([0, 0, 0, 1, 1, 0, 1, 1] as [Float], shape: [4, 2])   // [4, 2]
let and = Tensor([0, 0, 0, 1] as [Float])                                 // [4]
let xor = Tensor([0, 1, 1, 0] as [Float])                                 // [4]

let neuron = Perceptron(inFeatures: 2)
let mistakes = neuron.learn(inputs, and, maxEpochs: 20)
print("perceptron on AND: mistakes per epoch \(mistakes), predictions \(neuron(inputs).doubles)")

let lonely = Perceptron(inFeatures: 2)
let xorMistakes = lonely.learn(inputs, xor, maxEpochs: 20)
print("perceptron on XOR: still \(xorMistakes.last!) mistakes after \(xorMistakes.count) epochs (no line separates XOR)")

// Two layers: 2 -> 4 (tanh) -> 1 (sigmoid), binary cross-entropy, plain gradient descent.
manualSeed(0)
let network = Sequential([Linear(inFeatures: 2, outFeatures: 4), Tanh(), Linear(inFeatures: 4, outFeatures: 1), Sigmoid()])
let optimizer = SGD(parameters: network.parameters(), lr: 1.0)
for step in 1...2000 {
    let probabilities = network(inputs).reshape([4])                      // [4]
    let loss = binaryCrossEntropy(probabilities, xor)
    optimizer.zeroGrad()
    loss.backward()
    optimizer.step()
    if step % 500 == 0 { print("step \(step): loss \(loss.item() as Double)") }
}
print("two-layer network on XOR: \(withNoGrad { network(inputs).reshape([4]) }.doubles.map { ($0 * 100).rounded() / 100 })")
