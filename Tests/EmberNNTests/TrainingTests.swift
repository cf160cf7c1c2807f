import XCTest
import Ember
@testable import EmberNN

final class TrainingTests: XCTestCase {
    /// Two Gaussian blobs on either side of a line, labels 0 and 1.
    private func separable(_ n: Int, seed: UInt64) -> (x: Tensor, y: Tensor) {
        let g = Generator(seed: seed)
        let labels = Tensor.randint(0, 2, [n], generator: g)
        let centres = labels.to(.float32).unsqueeze(1) * Tensor([4, 4] as [Float]) - 2.0   // [n, 2]
        return (centres + Tensor.randn([n, 2], generator: g) * 0.5, labels)
    }

    func testPerceptronRuleConvergesOnSeparableData() {
        let (x, y) = separable(200, seed: 1)
        let perceptron = Perceptron(inFeatures: 2)
        let mistakes = perceptron.learn(x, y)
        XCTAssertEqual(mistakes.last, 0, "converged within \(mistakes.count) epochs: \(mistakes)")
        XCTAssertEqual(perceptron(x).eq(y.to(.float32)).to(.float32).mean().item(), 1)
    }

    func testSinglePerceptronCannotLearnXORButTwoLayersCan() {
        let x = Tensor([0, 0, 0, 1, 1, 0, 1, 1] as [Float], shape: [4, 2]), y = Tensor([0, 1, 1, 0])
        let perceptron = Perceptron(inFeatures: 2)
        let mistakes = perceptron.learn(x, y, maxEpochs: 100)
        XCTAssertTrue(mistakes.allSatisfy { $0 > 0 }, "XOR is not linearly separable: \(mistakes)")
        XCTAssertLessThan(perceptron(x).eq(y.to(.float32)).to(.float32).mean().item(), 1)

        manualSeed(3)
        let net = Sequential(Linear(inFeatures: 2, outFeatures: 8), Tanh(), Linear(inFeatures: 8, outFeatures: 1))
        let optimizer = Adam(parameters: net.parameters(), lr: 0.05)
        for _ in 0..<300 {
            optimizer.zeroGrad()
            binaryCrossEntropyWithLogits(net(x).squeeze(1), y.to(.float32)).backward()
            optimizer.step()
        }
        XCTAssertEqual(net(x).squeeze(1).gt(0).to(.int64).ints, [0, 1, 1, 0])
    }

    func testMLPLossFallsWithEachOptimizer() {
        let (x, y) = separable(256, seed: 2)
        let makers: [(String, ([Parameter]) -> any Optimizer)] = [
            ("sgd", { SGD(parameters: $0, lr: 0.1, momentum: 0.9) }),
            ("adam", { Adam(parameters: $0) }),
            ("adamw", { AdamW(parameters: $0) }),
            ("rmsprop", { RMSprop(parameters: $0, lr: 0.001) }),
        ]
        for (name, make) in makers {
            manualSeed(4)
            let net = Sequential(Linear(inFeatures: 2, outFeatures: 16), ReLU(), Dropout(p: 0.1), Linear(inFeatures: 16, outFeatures: 2))
            let optimizer = make(net.parameters())
            var losses: [Double] = []
            for _ in 0..<100 {
                optimizer.zeroGrad()
                let loss = crossEntropy(net(x), y)
                loss.backward()
                clipGradNorm(net.parameters(), maxNorm: 5)
                optimizer.step()
                losses.append(loss.item())
            }
            XCTAssertLessThan(losses.last!, losses.first! * 0.3, "\(name): \(losses.first!) -> \(losses.last!)")
        }
    }

    func testOptimizerStateRestoresToTheSameTrajectory() throws {
        func run(steps: Int, restartAt: Int?) throws -> [Float] {
            manualSeed(5)
            let layer = Linear(inFeatures: 3, outFeatures: 2)
            var optimizer = Adam(parameters: layer.parameters(), lr: 0.1)
            let x = Tensor.randn([8, 3], generator: Generator(seed: 6))
            for step in 0..<steps {
                if step == restartAt {
                    let saved = optimizer.stateDict()
                    optimizer = Adam(parameters: layer.parameters(), lr: 0.5)
                    try optimizer.loadStateDict(saved)
                }
                optimizer.zeroGrad()
                layer(x).pow(2).sum().backward()
                optimizer.step()
            }
            return layer.weight.floats
        }
        XCTAssertEqual(try run(steps: 6, restartAt: 3), try run(steps: 6, restartAt: nil))
        let adam = Adam(parameters: [Parameter(Tensor.zeros([2]))])
        XCTAssertThrowsError(try adam.loadStateDict(["lr": Tensor(scalar: 1), "state.0.exp_avg": Tensor.zeros([3])]))
        XCTAssertThrowsError(try adam.loadStateDict(["lr": Tensor(scalar: 1), "state.4.exp_avg": Tensor.zeros([2])]))
    }

    func testSchedulesAndClipping() {
        let step = StepLR(lr: 1, stepSize: 2, gamma: 0.5)
        XCTAssertEqual((0..<5).map(step.learningRate), [1, 1, 0.5, 0.5, 0.25])
        let cosine = CosineAnnealingLR(lr: 1, totalSteps: 4, minLR: 0)
        XCTAssertEqual(cosine.learningRate(at: 2), 0.5, accuracy: 1e-12)
        XCTAssertEqual(cosine.learningRate(at: 4), 0, accuracy: 1e-12)
        XCTAssertEqual(cosine.learningRate(at: 9), 0, accuracy: 1e-12)
        let warm = LinearWarmup(warmupSteps: 4, then: ConstantLR(lr: 0.8))
        for (got, expected) in zip((0..<6).map(warm.learningRate), [0.2, 0.4, 0.6, 0.8, 0.8, 0.8]) {
            XCTAssertEqual(got, expected, accuracy: 1e-12)
        }

        let a = Parameter(Tensor([0, 0] as [Float])), b = Parameter(Tensor([0] as [Float]))
        a.grad = Tensor([3, 0] as [Float])
        b.grad = Tensor([4] as [Float])
        XCTAssertEqual(clipGradNorm([a, b], maxNorm: 1), 5, accuracy: 1e-9)
        XCTAssertEqual(a.grad!.floats[0], 0.6, accuracy: 1e-5)
        XCTAssertEqual(b.grad!.floats[0], 0.8, accuracy: 1e-5)
        a.grad = Tensor([3, -0.5] as [Float])
        clipGradValue([a], clipValue: 1)
        XCTAssertEqual(a.grad!.floats, [1, -0.5])
    }

    /// A NaN in any gradient makes the norm NaN in every norm type, and reaches every
    /// gradient, as in PyTorch; an infinite one gives an infinite norm.
    func testClipGradNormPropagatesNonFiniteValues() {
        for normType in [1, 2, Double.infinity] {
            for position in 0..<3 {
                let a = Parameter(Tensor([0, 0] as [Float])), b = Parameter(Tensor([0] as [Float]))
                var values: [Float] = [3, -1, 4]
                values[position] = .nan
                a.grad = Tensor(Array(values[0..<2]))
                b.grad = Tensor([values[2]])
                let norm = clipGradNorm([a, b], maxNorm: 1, normType: normType)
                XCTAssertTrue(norm.isNaN, "norm \(normType), NaN at \(position): \(norm)")
                XCTAssertTrue((a.grad!.floats + b.grad!.floats).allSatisfy(\.isNaN), "norm \(normType), NaN at \(position)")
            }
            let a = Parameter(Tensor([0, 0] as [Float]))
            a.grad = Tensor([1, -.infinity] as [Float])
            XCTAssertEqual(clipGradNorm([a], maxNorm: 1, normType: normType), .infinity, "norm \(normType)")
        }
    }
}
