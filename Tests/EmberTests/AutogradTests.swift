import XCTest
@testable import Ember

final class AutogradTests: XCTestCase {
    func testChainRuleByHand() {
        // y = (x * w + b)^2 at x = 3, w = 2, b = 1: y = 49, dy/dw = 2 * 7 * 3, dy/db = 14.
        let w = Tensor(scalar: 2).requiringGrad(), b = Tensor(scalar: 1).requiringGrad()
        let y = (3.0 * w + b).pow(2)
        XCTAssertEqual(y.item(), 49)
        y.backward()
        XCTAssertEqual(w.grad!.item(), 42)
        XCTAssertEqual(b.grad!.item(), 14)
    }

    func testTensorUsedTwiceAndSharedSubexpressionsSum() {
        let x = Tensor([1.0, 2.0, 3.0] as [Double]).requiringGrad()
        let s = x * x          // shared subexpression
        let y = (s + s * x).sum() // x used three times: d/dx (x^2 + x^3) = 2x + 3x^2
        y.backward()
        assertTensor(x.grad!, [5, 16, 33])
    }

    func testGradientsAccumulateAcrossBackwardCallsAndCanBeZeroed() {
        let x = Tensor([1.0, -2.0] as [Float]).requiringGrad()
        (x * 3.0).sum().backward()
        (x * 3.0).sum().backward()
        assertTensor(x.grad!, [6, 6])
        x.grad = nil
        (x * x).sum().backward()
        assertTensor(x.grad!, [2, -4])
    }

    func testExplicitUpstreamGradient() {
        let x = Tensor([1.0, 2.0, 3.0, 4.0] as [Float], shape: [2, 2]).requiringGrad()
        let y = x * 2.0
        y.backward(Tensor([1, 0, 0, 10] as [Float], shape: [2, 2]))
        assertTensor(x.grad!, [2, 0, 0, 20])
    }

    func testNoGradAndDetachRecordNothing() {
        let x = Tensor.randn([3]).requiringGrad()
        let y = withNoGrad { x * 2.0 }
        XCTAssertFalse(y.requiresGrad)
        XCTAssertNil(y.gradFnName)
        XCTAssertTrue(GradMode.isEnabled)
        let z = (x * 2.0).detach()
        XCTAssertFalse(z.requiresGrad)
        XCTAssertTrue((x * 2.0).requiresGrad)
        XCTAssertEqual((x * 2.0).gradFnName, "mul")
    }

    func testGradModeIsPerThread() {
        let done = expectation(description: "thread")
        withNoGrad {
            Thread.detachNewThread {
                XCTAssertTrue(GradMode.isEnabled)
                done.fulfill()
            }
            wait(for: [done], timeout: 5)
            XCTAssertFalse(GradMode.isEnabled)
        }
    }

    func testGraphIsFreedAsBackwardConsumesIt() {
        let x = Tensor.randn([4]).requiringGrad()
        weak var saved: Tensor?
        var y: Tensor? = nil
        do {
            let h = x.exp()
            saved = h
            y = (h * 2.0).sum()
        }
        XCTAssertNotNil(saved, "the graph keeps intermediate tensors alive before backward")
        y!.backward()
        // `h` was kept only by the graph; backward released it.
        y = nil
        XCTAssertNil(saved)
    }

    func testRetainGraphAllowsASecondBackward() {
        let x = Tensor([2.0] as [Float]).requiringGrad()
        let y = (x * x).sum()
        y.backward(retainGraph: true)
        y.backward()
        assertTensor(x.grad!, [8])
    }

    func testSecondDerivativeWithCreateGraph() {
        // y = x^3: dy/dx = 3x^2 = 12 at x = 2; d2y/dx2 = 6x = 12.
        let x = Tensor(scalar: 2, dtype: .float64).requiringGrad()
        let y = x.pow(3)
        y.backward(createGraph: true)
        let dydx = x.grad!
        XCTAssertEqual(dydx.item(), 12, accuracy: 1e-12)
        XCTAssertTrue(dydx.requiresGrad)
        x.grad = nil
        dydx.backward()
        XCTAssertEqual(x.grad!.item(), 12, accuracy: 1e-12)
    }

    func testHessianVectorProduct() {
        // f(x) = sum(tanh(A x)) has Hessian H = A^T diag(-2 t (1 - t^2)) A, t = tanh(A x).
        let a = Tensor([0.5, -1.0, 2.0, 0.3, 0.8, -0.4] as [Double], shape: [2, 3])
        let x = Tensor([0.1, 0.2, -0.3] as [Double]).requiringGrad()
        let v = Tensor([1.0, -2.0, 0.5] as [Double])
        let f = a.matmul(x).tanh().sum()
        f.backward(createGraph: true)
        let g = x.grad!
        x.grad = nil
        (g * v).sum().backward()
        let hv = x.grad!.doubles

        let t = a.matmul(x.detach()).tanh().doubles
        let d = t.map { -2 * $0 * (1 - $0 * $0) }
        let av = a.matmul(v).doubles
        let expected = (0..<3).map { j in (0..<2).reduce(0.0) { $0 + a.doubles[$1 * 3 + j] * d[$1] * av[$1] } }
        assertTensor(Tensor(hv), expected, tolerance: 1e-12)
    }

    func testSecondDerivativesOfReductionsAndMatmul() {
        // Gradient checks of the gradient itself: d/dx of (d/dx f) · u.
        let x = leaf([3, 4], seed: 31), w = leaf([4, 2], seed: 32)
        let u = Tensor.randn([3, 4], dtype: .float64, generator: Generator(seed: 33))
        for f in [
            { (x: Tensor) in x.matmul(w.detach()).tanh().sum() },
            { (x: Tensor) in (x * x).softmax(dim: 1).max(dim: 0).sum() },
            { (x: Tensor) in x.sigmoid().var(dim: 1).sum() + x.logsumexp(dim: 0).sum() },
        ] {
            assertGradients([x]) { inputs in
                let g = withGradMode(true) { () -> Tensor in
                    let y = f(inputs[0])
                    inputs[0].grad = nil
                    y.backward(createGraph: true)
                    defer { inputs[0].grad = nil }
                    return inputs[0].grad!
                }
                return (g * u).sum()
            }
        }
    }

    func testGradientFlowsThroughTypeConversion() {
        let x = Tensor([1.0, 2.0] as [Double]).requiringGrad()
        (x.to(.float32) * 3.0).sum().backward()
        XCTAssertEqual(x.grad!.dtype, .float64)
        assertTensor(x.grad!, [3, 3])
    }

    func testDeepGraphDoesNotOverflowTheStack() {
        let x = Tensor([1.0] as [Float]).requiringGrad()
        var y = x
        for _ in 0..<50_000 { y = y + 0.0 }
        y.sum().backward()
        assertTensor(x.grad!, [1])
    }
}

extension AutogradTests {
    func testCloneCopiesAndPassesGradients() {
        let x = Tensor([1, 2] as [Float]).requiringGrad()
        let y = x.clone()
        XCTAssertFalse(y.storage === x.storage)
        (y * 3.0).sum().backward()
        assertTensor(x.grad!, [3, 3])
    }
}
