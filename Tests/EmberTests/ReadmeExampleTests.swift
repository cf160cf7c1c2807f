import XCTest
import Ember

/// The README's ten-line example, kept true: linear regression by gradient descent
/// recovers the weights that made the data.
final class ReadmeExampleTests: XCTestCase {
    func testLinearRegressionRecoversWeights() {
        manualSeed(0)
        let x = Tensor.randn([64, 3])                                   // inputs [64, 3]
        let y = x.matmul(Tensor([2, -1, 0.5] as [Float])) + 1.0         // targets [64]
        let w = Tensor.zeros([3]).requiringGrad(), b = Tensor.zeros([]).requiringGrad()
        var first = 0.0, last = 0.0
        for step in 0..<200 {
            let loss = (x.matmul(w) + b - y).pow(2).mean()              // mean squared error []
            w.grad = nil; b.grad = nil
            loss.backward()
            withNoGrad { w -= w.grad! * 0.1; b -= b.grad! * 0.1 }
            if step == 0 { first = loss.item() }
            last = loss.item()
        }
        XCTAssertLessThan(last, first * 1e-6)
        assertTensor(w, [2, -1, 0.5], tolerance: 1e-3)
        assertTensor(b, [1], tolerance: 1e-3)
        XCTAssertEqual(w.description, "tensor([ 2.0000, -1.0000,  0.5000], requiresGrad: true)")
        XCTAssertEqual(b.description, "tensor(1.0000, requiresGrad: true)")
    }
}
