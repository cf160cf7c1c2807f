import XCTest
import Ember
@testable import EmberNN

/// Layers, losses and optimizers against values PyTorch computed (float64).
final class FixtureTests: XCTestCase {
    func testConvolution() {
        assertMatchesFixture("conv2d") { $0[0].conv2d(weight: $0[1], bias: $0[2], stride: [2, 1], padding: [1, 2], dilation: [1, 2]) }
        assertMatchesFixture("conv2d_groups") { $0[0].conv2d(weight: $0[1], padding: 1, groups: 2) }
    }

    func testPooling() {
        assertMatchesFixture("max_pool2d") { $0[0].maxPool2d(kernelSize: 3, stride: 2, padding: 1) }
        assertMatchesFixture("avg_pool2d") { $0[0].avgPool2d(kernelSize: 3, stride: 2, padding: 1) }
        assertMatchesFixture("avg_pool2d_exclude_pad") { $0[0].avgPool2d(kernelSize: 3, stride: 2, padding: 1, countIncludePad: false) }
        assertMatchesFixture("adaptive_avg_pool2d") { $0[0].adaptiveAvgPool2d(outputSize: [3, 2]) }
    }

    func testBatchNorm2dTrainingStatisticsAndEval() {
        let c = Fixtures.case("batch_norm2d")
        let bn = BatchNorm2d(numFeatures: 3)
        try! bn.loadStateDict(["weight": c["weight"], "bias": c["bias"], "running_mean": Tensor.zeros([3], dtype: .float64),
                               "running_var": Tensor.ones([3], dtype: .float64), "num_batches_tracked": Tensor.zeros([], dtype: .int64)])
        assertMatchesFixture("batch_norm2d", tolerance: 1e-6) { bn($0[0].to(.float32)).to(.float64) }
        assertClose(bn.runningMean.to(.float64), c["running_mean"], tolerance: 1e-6)
        assertClose(bn.runningVar.to(.float64), c["running_var"], tolerance: 1e-6)
        XCTAssertEqual(bn.numBatchesTracked.item(), 1)
        bn.eval()
        assertClose(bn(c["eval_input"].to(.float32)).to(.float64), c["eval_output"], tolerance: 1e-6)
    }

    func testLayerNorm() {
        assertMatchesFixture("layer_norm") { $0[0].layerNorm(normalizedShape: [5], weight: $0[1], bias: $0[2]) }
    }

    func testCrossEntropy() {
        for name in ["cross_entropy", "cross_entropy_smoothing_ignore", "cross_entropy_spatial_sum"] {
            let raw = Fixtures.layers[name] as! [String: Any]
            let targetValues = (raw["targets"] as! [NSNumber]).map(\.intValue)
            assertMatchesFixture(name) { inputs in
                let logits = inputs[0]
                let targets = Tensor(targetValues, shape: [logits.shape[0]] + Array(logits.shape.dropFirst(2)))
                switch name {
                case "cross_entropy": return crossEntropy(logits, targets)
                case "cross_entropy_smoothing_ignore": return crossEntropy(logits, targets, labelSmoothing: 0.1, ignoreIndex: 1)
                default: return crossEntropy(logits, targets, reduction: .sum)
                }
            }
        }
    }

    func testBinaryCrossEntropy() {
        let y = Fixtures.case("bce")["targets"]
        assertMatchesFixture("bce") { binaryCrossEntropy($0[0].clamp(min: 0.01, max: 0.99), y) }
        assertMatchesFixture("bce_logits") { binaryCrossEntropyWithLogits($0[0], y) }
    }

    func testOptimizersFollowPyTorchStepByStep() {
        let raw = Fixtures.layers["optimizers"] as! [String: Any]
        let start = Fixtures.tensor(raw["start"]!)
        let grads = (raw["grads"] as! [Any]).map(Fixtures.tensor)
        let steps = raw["steps"] as! [String: Any]
        let makers: [String: ([Parameter]) -> any Optimizer] = [
            "sgd": { SGD(parameters: $0, lr: 0.1) },
            "sgd_momentum": { SGD(parameters: $0, lr: 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 0.01) },
            "sgd_nesterov": { SGD(parameters: $0, lr: 0.1, momentum: 0.9, nesterov: true) },
            "adam": { Adam(parameters: $0, lr: 0.01) },
            "adam_l2": { Adam(parameters: $0, lr: 0.01, betas: (0.8, 0.9), weightDecay: 0.1) },
            "adamw": { AdamW(parameters: $0, lr: 0.01, weightDecay: 0.1) },
            "rmsprop": { RMSprop(parameters: $0, lr: 0.01) },
            "rmsprop_centered_momentum": { RMSprop(parameters: $0, lr: 0.01, weightDecay: 0.1, momentum: 0.5, centered: true) },
        ]
        XCTAssertEqual(Set(makers.keys), Set(steps.keys))
        for (name, make) in makers {
            let p = Parameter(start)
            let optimizer = make([p])
            for (g, expected) in zip(grads, (steps[name] as! [Any]).map(Fixtures.tensor)) {
                p.grad = g
                optimizer.step()
                assertClose(p, expected, tolerance: 1e-12, name)
            }
        }
    }
}
