import XCTest
import Ember
@testable import EmberNN

private final class Block: Module, Layer {
    let conv = Conv2d(inChannels: 1, outChannels: 2, kernelSize: 3, padding: 1)
    let bn = BatchNorm2d(numFeatures: 2)
    let head = Sequential(Flatten(), Linear(inFeatures: 32, outFeatures: 3), ReLU(), Dropout(p: 0.5), Linear(inFeatures: 3, outFeatures: 2))
    let extra = [Linear(inFeatures: 2, outFeatures: 2, bias: false)]
    let lmHead = Linear(inFeatures: 2, outFeatures: 2)

    func callAsFunction(_ x: Tensor) -> Tensor { lmHead(extra[0](head(bn(conv(x)).relu()))) }
}

final class ModuleTests: XCTestCase {
    func testNamesFollowPyTorch() {
        let block = Block()
        XCTAssertEqual(block.namedParameters().map(\.name), [
            "conv.weight", "conv.bias", "bn.weight", "bn.bias", "head.1.weight", "head.1.bias",
            "head.4.weight", "head.4.bias", "extra.0.weight", "lm_head.weight", "lm_head.bias",
        ])
        XCTAssertEqual(block.namedBuffers().map(\.name), ["bn.running_mean", "bn.running_var", "bn.num_batches_tracked"])
        XCTAssertEqual(block.parameterCount, 2 * 9 + 2 + 2 + 2 + 32 * 3 + 3 + 3 * 2 + 2 + 4 + 4 + 2)
        XCTAssertEqual(Module.snakeCase("weightIhL0"), "weight_ih_l0")
        XCTAssertEqual(Module.snakeCase("inProjWeight"), "in_proj_weight")
        XCTAssertEqual(block(Tensor.randn([4, 1, 4, 4])).shape, [4, 2])
    }

    func testTrainAndEvalReachEveryDescendant() {
        let block = Block()
        block.eval()
        XCTAssertTrue(block.namedModules().allSatisfy { !$0.module.training })
        block.train()
        XCTAssertTrue(block.namedModules().allSatisfy { $0.module.training })
    }

    func testStateDictRoundTripAndErrorsListEveryProblemAndChangeNothing() throws {
        let a = Block(), b = Block()
        try b.loadStateDict(Dictionary(uniqueKeysWithValues: a.stateDict().map { ($0.name, $0.tensor) }))
        for (x, y) in zip(a.stateDict(), b.stateDict()) { XCTAssertEqual(x.tensor.doubles, y.tensor.doubles, x.name) }

        var state = Dictionary(uniqueKeysWithValues: a.stateDict().map { ($0.name, $0.tensor) })
        state["conv.weight"] = nil
        state["lm_head.bias"] = Tensor.zeros([3])
        state["decoder.weight"] = Tensor.zeros([1])
        let fresh = Block()
        let before = fresh.stateDict().map { $0.tensor.doubles }
        XCTAssertThrowsError(try fresh.loadStateDict(state)) { error in
            let e = error as! StateDictError
            XCTAssertEqual(e.missing, ["conv.weight"])
            XCTAssertEqual(e.unexpected, ["decoder.weight"])
            XCTAssertEqual(e.mismatched.map(\.name), ["lm_head.bias"])
            XCTAssertEqual(e.description, "cannot load state dict: missing: conv.weight; unexpected: decoder.weight; shape mismatch: lm_head.bias expects [2], got [3]")
        }
        XCTAssertEqual(fresh.stateDict().map { $0.tensor.doubles }, before, "a failed load changes nothing")
        state["lm_head.bias"] = Tensor.zeros([2])
        XCTAssertThrowsError(try fresh.loadStateDict(state))
        try fresh.loadStateDict(state, strict: false)
        XCTAssertEqual(fresh.lmHead.bias!.doubles, [0, 0])
    }

    func testLinearComputesXWTransposePlusB() throws {
        let layer = Linear(inFeatures: 3, outFeatures: 2)
        try layer.loadStateDict(["weight": Tensor([1, 2, 3, 4, 5, 6] as [Float], shape: [2, 3]), "bias": Tensor([0.5, -1] as [Float])])
        let y = layer(Tensor([1, 0, -1, 2, 1, 0] as [Float], shape: [2, 3]))
        XCTAssertEqual(y.floats, [-1.5, -3, 4.5, 12])
        XCTAssertEqual(layer(Tensor.zeros([4, 5, 3])).shape, [4, 5, 2])
        // PyTorch's default initialisation bound: 1/sqrt(inFeatures).
        let big = Linear(inFeatures: 100, outFeatures: 50)
        XCTAssertLessThanOrEqual(big.weight.abs().max().item(), 0.1)
        XCTAssertGreaterThan(big.weight.abs().max().item(), 0.09)
    }

    func testDropoutScalesInTrainingAndIsIdentityInEval() {
        let dropout = Dropout(p: 0.25)
        let x = Tensor.ones([100_000])
        let y = dropout(x)
        let zeros = y.eq(0).to(.float32).mean().item()
        XCTAssertEqual(zeros, 0.25, accuracy: 0.01)
        XCTAssertEqual(y.max().item(), 1 / 0.75, accuracy: 1e-6)
        XCTAssertEqual(y.mean().item(), 1, accuracy: 0.01)
        dropout.eval()
        XCTAssertTrue(dropout(x) === x)
    }

    func testEmbeddingLooksUpRows() {
        let embedding = Embedding(numEmbeddings: 5, embeddingDim: 3)
        let ids = Tensor([4, 0, 4, 2], shape: [2, 2])
        let y = embedding(ids)
        XCTAssertEqual(y.shape, [2, 2, 3])
        XCTAssertEqual(y[0][0].floats, embedding.weight[4].floats)
        XCTAssertEqual(y[1][1].floats, embedding.weight[2].floats)
        y.sum().backward()
        XCTAssertEqual(embedding.weight.grad!.sum(dim: 1).floats, [3, 0, 3, 0, 6])
    }

    func testInitialisersFollowPyTorchBounds() {
        let w = Tensor.zeros([64, 32, 3, 3])
        XCTAssertEqual(Init.fans(w).fanIn, 288)
        XCTAssertEqual(Init.fans(w).fanOut, 576)
        Init.kaimingUniform(w, nonlinearity: .relu)
        let bound = 2.0.squareRoot() * (3.0 / 288).squareRoot()
        XCTAssertLessThanOrEqual(w.abs().max().item(), bound)
        XCTAssertGreaterThan(w.abs().max().item(), bound * 0.99)
        Init.xavierNormal(w)
        XCTAssertEqual(w.std().item(), (2.0 / (288 + 576)).squareRoot(), accuracy: 0.002)
        Init.constant(w, 0.5)
        XCTAssertEqual(w.mean().item(), 0.5)
    }

    func testLossValuesByHand() {
        let x = Tensor([1, 2, 3] as [Float]), y = Tensor([2, 2, 5] as [Float])
        XCTAssertEqual(mseLoss(x, y).item(), 5.0 / 3, accuracy: 1e-6)
        XCTAssertEqual(mseLoss(x, y, reduction: .sum).item(), 5, accuracy: 1e-6)
        XCTAssertEqual(l1Loss(x, y).item(), 1, accuracy: 1e-6)
        XCTAssertEqual(l1Loss(x, y, reduction: .none).floats, [1, 0, 2])
        let logits = Tensor([0, 0] as [Float], shape: [1, 2])
        XCTAssertEqual(crossEntropy(logits, Tensor([1])).item(), log(2), accuracy: 1e-6)
        XCTAssertEqual(nllLoss(logits.logSoftmax(dim: 1), Tensor([0])).item(), log(2), accuracy: 1e-6)
        let p = Parameter(Tensor([1, -2] as [Float]))
        XCTAssertEqual(l1Penalty([p]).item(), 3)
        XCTAssertEqual(l2Penalty([p]).item(), 5)
    }
}

extension ModuleTests {
    func testBatchNorm1dNormalisesEachFeatureAndTracksRunningStatistics() throws {
        let bn = BatchNorm1d(numFeatures: 2, momentum: 0.5)
        let x = Tensor([1, 10, 3, 20, 5, 30] as [Float], shape: [3, 2])
        let y = bn(x)
        // Feature 0: mean 3, biased variance 8/3; feature 1: mean 20, biased variance 200/3.
        let expected: [Double] = [1, 10, 3, 20, 5, 30].enumerated().map { i, v in
            let (mean, variance) = i % 2 == 0 ? (3.0, 8.0 / 3) : (20.0, 200.0 / 3)
            return (v - mean) / (variance + 1e-5).squareRoot()
        }
        for (a, b) in zip(y.doubles, expected) { XCTAssertEqual(a, b, accuracy: 1e-5) }
        // Running statistics move halfway to the batch's (unbiased variance: 4 and 100).
        for (a, b) in zip(bn.runningMean.doubles, [1.5, 10]) { XCTAssertEqual(a, b, accuracy: 1e-5) }
        for (a, b) in zip(bn.runningVar.doubles, [2.5, 50.5]) { XCTAssertEqual(a, b, accuracy: 1e-4) }
        bn.eval()
        let z = bn(Tensor([1.5, 10] as [Float], shape: [1, 2]))
        for a in z.doubles { XCTAssertEqual(a, 0, accuracy: 1e-5) }
        // [N, C, L] inputs normalise over N and L.
        let sequence = BatchNorm1d(numFeatures: 3)
        let out = sequence(Tensor.randn([4, 3, 5]) * 3.0 + 2.0)
        for m in out.mean(dims: [0, 2]).doubles { XCTAssertEqual(m, 0, accuracy: 1e-5) }
    }
}
