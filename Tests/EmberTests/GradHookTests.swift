import XCTest
@testable import Ember

/// Post-accumulate gradient hooks: each runs once a backward pass, when its leaf's
/// gradient is whole (a leaf used many times included), in the order the pass completes
/// leaves (the last layer's first), and not for a leaf the pass never reached.
final class GradHookTests: XCTestCase {
    func testAHookSeesTheWholeGradientOnceAPass() {
        let w = Tensor([2.0, -1.0] as [Float]).requiringGrad()
        var seen: [[Float]] = []
        w.registerPostAccumulateGradHook { seen.append($0.grad!.floats) }
        // w is used three times, as an RNN's weight is at every step: d/dw Σ (w·x_t)² = Σ 2 (w·x_t) x_t.
        let xs = [Tensor([1.0, 0.0] as [Float]), Tensor([0.0, 1.0] as [Float]), Tensor([1.0, 1.0] as [Float])]
        // 2·2·[1, 0] + 2·(−1)·[0, 1] + 2·1·[1, 1] = [6, 0].
        var loss = Tensor(scalar: 0)
        for x in xs { loss = loss + (w * x).sum().pow(2) }
        loss.backward()
        XCTAssertEqual(seen, [[6, 0]], "once, with every use summed")
        (w * w).sum().backward()
        XCTAssertEqual(seen.count, 2, "once more for the second pass")
        XCTAssertEqual(seen[1], [10, -2], "the gradient as accumulated: the first pass's plus 2w")
    }

    func testLeavesCompleteFromTheLastLayerBack() {
        let first = Tensor.randn([3, 4], generator: Generator(seed: 1)).requiringGrad()
        let second = Tensor.randn([4, 2], generator: Generator(seed: 2)).requiringGrad()
        let unused = Tensor.randn([2], generator: Generator(seed: 3)).requiringGrad()
        var order: [String] = []
        first.registerPostAccumulateGradHook { _ in order.append("first") }
        second.registerPostAccumulateGradHook { _ in order.append("second") }
        unused.registerPostAccumulateGradHook { _ in order.append("unused") }
        let x = Tensor.randn([5, 3], generator: Generator(seed: 4))
        x.matmul(first).relu().matmul(second).sum().backward()
        XCTAssertEqual(order, ["second", "first"])
    }

    func testALeafSeededDirectlyRunsItsHook() {
        let w = Tensor([3.0] as [Float]).requiringGrad()
        var calls = 0
        w.registerPostAccumulateGradHook { _ in calls += 1 }
        w.backward(Tensor([1.0] as [Float]))
        XCTAssertEqual(calls, 1)
    }
}
