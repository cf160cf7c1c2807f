import XCTest
@testable import Ember

final class TensorTests: XCTestCase {
    func testCreation() {
        assertTensor(Tensor.zeros([2, 2]), [0, 0, 0, 0], shape: [2, 2])
        assertTensor(Tensor.ones([3]), [1, 1, 1])
        assertTensor(Tensor.full([2], 7.5, dtype: .float64), [7.5, 7.5])
        assertTensor(Tensor.arange(0, 5, step: 2), [0, 2, 4])
        assertTensor(Tensor.arange(4), [0, 1, 2, 3])
        XCTAssertEqual(Tensor.arange(4).dtype, .int64)
        assertTensor(Tensor.arange(1, 0, step: -0.25), [1, 0.75, 0.5, 0.25])
        assertTensor(Tensor.linspace(0, 1, steps: 5), [0, 0.25, 0.5, 0.75, 1])
        assertTensor(Tensor.eye(2, 3), [1, 0, 0, 0, 1, 0], shape: [2, 3])
        assertTensor(Tensor(scalar: 3), [3], shape: [])
        let t = Tensor([1, 2, 3, 4, 5, 6] as [Float], shape: [2, 3])
        XCTAssertEqual(t.dtype, .float32)
        XCTAssertEqual(Tensor([1.0] as [Double]).dtype, .float64)
        XCTAssertEqual(Tensor([true, false]).dtype, .bool)
        XCTAssertEqual(Tensor([1, 2] as [Int32]).dtype, .int32)
    }

    func testRandomIsSeededAndReproducible() {
        let a = Tensor.randn([1000], generator: Generator(seed: 42))
        let b = Tensor.randn([1000], generator: Generator(seed: 42))
        XCTAssertEqual(a.floats, b.floats)
        XCTAssertNotEqual(a.floats, Tensor.randn([1000], generator: Generator(seed: 43)).floats)
        manualSeed(5)
        let c = Tensor.rand([10])
        manualSeed(5)
        XCTAssertEqual(c.floats, Tensor.rand([10]).floats)
        // Moments of 100k samples.
        let n = Tensor.randn([100_000], dtype: .float64, generator: Generator(seed: 1))
        XCTAssertEqual(n.mean().item(), 0, accuracy: 0.02)
        XCTAssertEqual(n.std().item(), 1, accuracy: 0.02)
        let u = Tensor.rand([100_000], dtype: .float64, generator: Generator(seed: 2))
        XCTAssertEqual(u.mean().item(), 0.5, accuracy: 0.01)
        XCTAssertGreaterThanOrEqual(u.min().item(), 0)
        XCTAssertLessThan(u.max().item(), 1)
        let r = Tensor.randint(3, 7, [10_000], generator: Generator(seed: 3))
        XCTAssertEqual(r.min().item(), 3)
        XCTAssertEqual(r.max().item(), 6)
    }

    func testViewsShareStorage() {
        let t = Tensor.arange(0, 12).reshape([3, 4])
        XCTAssertTrue(t.transpose(0, 1).storage === t.storage)
        XCTAssertTrue(t.slice(dim: 1, start: 1).storage === t.storage)
        XCTAssertTrue(t.reshape([4, 3]).storage === t.storage)
        XCTAssertTrue(t[1].storage === t.storage)
        XCTAssertTrue(t.unsqueeze(0).expand([2, 3, 4]).storage === t.storage)
        XCTAssertFalse(t.transpose(0, 1).isContiguous)
        XCTAssertFalse(t.transpose(0, 1).reshape([12]).storage === t.storage, "reshape of non-contiguous data copies")
        t.slice(dim: 1, start: 1, end: 2).copy(from: Tensor(scalar: -1))
        assertTensor(t[0], [0, -1, 2, 3])
    }

    func testViewSplitsAndMergesDimsThatAreContiguousAmongThemselves() {
        // A column block of a [2, 3, 12] tensor, viewed as heads [2, 3, 2, 2] (as attention does).
        let t = Tensor.arange(0, 72).reshape([2, 3, 12])
        let block = t.narrow(dim: 2, start: 4, length: 4)
        let heads = block.view([2, 3, 2, 2])
        XCTAssertTrue(heads.storage === t.storage)
        XCTAssertEqual(heads.strides, [36, 12, 2, 1])
        assertTensor(heads[1][2][1], [66, 67])
        // Merging the two leading dims is a view too; merging across the cut is not.
        XCTAssertTrue(block.view([6, 4]).storage === t.storage)
        XCTAssertNil(Shape.viewStrides(shape: block.shape, strides: block.strides, as: [2, 12]))
        XCTAssertFalse(block.reshape([2, 12]).storage === t.storage)
        assertTensor(block.reshape([2, 12])[0].slice(dim: 0, start: 4, end: 8), [16, 17, 18, 19])
        XCTAssertEqual(Shape.viewStrides(shape: [3, 1, 4], strides: [4, 99, 1], as: [12]), [1])
    }

    func testShapeOps() {
        let t = Tensor.arange(0, 24).reshape([2, 3, 4])
        assertTensor(t.permute([2, 0, 1]).contiguous()[1], [1, 5, 9, 13, 17, 21], shape: [2, 3])
        assertTensor(t.transpose(0, 2)[3][2], [11, 23])
        XCTAssertEqual(t.reshape([4, -1]).shape, [4, 6])
        XCTAssertEqual(t.flatten().shape, [24])
        XCTAssertEqual(t.flatten(startDim: 1).shape, [2, 12])
        XCTAssertEqual(t.unsqueeze(1).shape, [2, 1, 3, 4])
        XCTAssertEqual(t.unsqueeze(-1).shape, [2, 3, 4, 1])
        XCTAssertEqual(t.unsqueeze(1).squeeze().shape, [2, 3, 4])
        XCTAssertEqual(Tensor.zeros([1, 3, 1]).squeeze(0).shape, [3, 1])
        assertTensor(t.slice(dim: 2, start: 1, end: 4, step: 2)[1], [13, 15, 17, 19, 21, 23], shape: [3, 2])
        assertTensor(t.slice(dim: -1, start: -2)[0][0], [2, 3])
        assertTensor(t.narrow(dim: 1, start: 2, length: 1), [8, 9, 10, 11, 20, 21, 22, 23], shape: [2, 1, 4])
        assertTensor(t.select(dim: 2, index: 0), [0, 4, 8, 12, 16, 20], shape: [2, 3])
        assertTensor(Tensor([1, 2] as [Float]).unsqueeze(1).expand([2, 3]), [1, 1, 1, 2, 2, 2])
        assertTensor(t[0..<1].reshape([-1])[5], [5], shape: [])
        assertTensor(t.mT.contiguous()[0], [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11], shape: [4, 3])
    }

    func testTypeConversion() {
        let t = Tensor([1.7, -2.2, 0] as [Double])
        assertTensor(t.to(.int64), [1, -2, 0])
        XCTAssertEqual(t.to(.bool).scalars(as: Bool.self), [true, true, false])
        XCTAssertEqual(t.to(.float32).dtype, .float32)
        XCTAssertEqual(Tensor([3, 4]).to(.float32).floats, [3, 4])
    }

    func testElementwiseBroadcastingValues() {
        let a = Tensor([1, 2, 3, 4, 5, 6] as [Float], shape: [2, 3])
        let row = Tensor([10, 20, 30] as [Float]), col = Tensor([100, 200] as [Float], shape: [2, 1])
        assertTensor(a + row, [11, 22, 33, 14, 25, 36])
        assertTensor(a * col, [100, 200, 300, 800, 1000, 1200])
        assertTensor(row - col, [-90, -80, -70, -190, -180, -170], shape: [2, 3])
        assertTensor(a.transpose(0, 1) + col.transpose(0, 1), [101, 204, 102, 205, 103, 206], shape: [3, 2])
        assertTensor(1.0 / a, [1, 0.5, 1.0 / 3, 0.25, 0.2, 1.0 / 6])
        assertTensor(a.pow(2) - 1.0, [0, 3, 8, 15, 24, 35])
        assertTensor(Tensor([1, 2, 3]) * 2.0, [2, 4, 6])
        XCTAssertEqual((Tensor([1, 2, 3]) * 2.0).dtype, .int64)
        XCTAssertEqual((Tensor([1, 2, 3]) * 2.5).dtype, .float32)
        XCTAssertEqual((Tensor([1, 2]) / Tensor([2, 4])).dtype, .float32)
        XCTAssertEqual((a + Tensor([1.0] as [Double])).dtype, .float64)
    }

    func testMathAndActivationValues() {
        let x = Tensor([-2, -0.5, 0, 0.5, 2] as [Double])
        assertTensor(x.relu(), [0, 0, 0, 0.5, 2])
        assertTensor(x.leakyRelu(), [-0.02, -0.005, 0, 0.5, 2])
        assertTensor(x.sigmoid(), x.doubles.map { 1 / (1 + exp(-$0)) }, tolerance: 1e-12)
        assertTensor(x.tanh(), x.doubles.map { tanh($0) }, tolerance: 1e-12)
        // Values from torch.nn.functional.gelu.
        assertTensor(x.gelu(), [-0.04550026, -0.15426877, 0, 0.34573123, 1.95449974], tolerance: 1e-7)
        assertTensor(x.gelu(approximate: .tanh), [-0.04540231, -0.15428599, 0, 0.34571401, 1.95459769], tolerance: 1e-7)
        assertTensor(x.abs(), [2, 0.5, 0, 0.5, 2])
        assertTensor(x.clamp(min: -1, max: 1), [-1, -0.5, 0, 0.5, 1])
        assertTensor(x.exp().log(), x.doubles, tolerance: 1e-12)
        assertTensor(Tensor([4, 9] as [Float]).sqrt(), [2, 3])
        assertTensor(Tensor([4, 16] as [Float]).rsqrt(), [0.5, 0.25])
        assertTensor(x.maximum(Tensor(scalar: 0.1, dtype: .float64)), [0.1, 0.1, 0.1, 0.5, 2])
        assertTensor(x.minimum(Tensor(scalar: 0.1, dtype: .float64)), [-2, -0.5, 0, 0.1, 0.1])
        XCTAssertEqual(x.gt(0).scalars(as: Bool.self), [false, false, false, true, true])
        XCTAssertEqual(x.le(0).scalars(as: Bool.self), [true, true, true, false, false])
        XCTAssertEqual(x.eq(0).scalars(as: Bool.self), [false, false, true, false, false])
    }

    func testSoftmax() {
        let x = Tensor([1, 2, 3, 1, 1, 1] as [Float], shape: [2, 3])
        let e: [Double] = [exp(1.0), exp(2.0), exp(3.0)]
        let s: Double = e.reduce(0, +)
        let third: Double = 1.0 / 3
        let probabilities: [Double] = e.map { $0 / s } + [third, third, third]
        assertTensor(x.softmax(dim: 1), probabilities, tolerance: 1e-6)
        assertTensor(x.logSoftmax(dim: 1), probabilities.map { log($0) }, tolerance: 1e-6)
        let columns = x.softmax(dim: 0)
        assertTensor(columns.sum(dim: 0), [1, 1, 1], tolerance: 1e-6)
        // Large inputs do not overflow.
        assertTensor(Tensor([1000, 1000] as [Float]).softmax(dim: 0), [0.5, 0.5])
    }

    func testReductionValues() {
        let t = Tensor([1, 5, 3, 4, 2, 6] as [Float], shape: [2, 3])
        assertTensor(t.sum(), [21], shape: [])
        assertTensor(t.sum(dim: 0), [5, 7, 9])
        assertTensor(t.sum(dim: 1, keepDim: true), [9, 12], shape: [2, 1])
        assertTensor(t.mean(dim: 1), [3, 4])
        assertTensor(t.max(dim: 1), [5, 6])
        assertTensor(t.min(dim: 0), [1, 2, 3])
        assertTensor(t.argmax(dim: 1), [1, 2])
        assertTensor(t.argmin(dim: 0), [0, 1, 0])
        assertTensor(t.argmax(), [5], shape: [])
        assertTensor(t.var(dim: 1), [4, 4])
        assertTensor(t.var(dim: 1, correction: 0), [8.0 / 3, 8.0 / 3])
        assertTensor(t.std(), [Double(17.5 / 5).squareRoot()])
        assertTensor(t.logsumexp(dim: 1), [log(exp(1.0) + exp(5.0) + exp(3.0)), log(exp(4.0) + exp(2.0) + exp(6.0))])
        assertTensor(t.transpose(0, 1).sum(dim: 1), [5, 7, 9])
        let big = Tensor.arange(0, 24).reshape([2, 3, 4])
        assertTensor(big.sum(dims: [0, 2]), [60, 92, 124])
        assertTensor(big.sum(dim: 1), [12, 15, 18, 21, 48, 51, 54, 57])
        assertTensor(Tensor([1, 2, 3]).sum(), [6])
        assertTensor(Tensor([true, true, false]).sum(), [2])
        // A long float32 sum keeps its accuracy.
        assertTensor(Tensor.full([1_000_000], 0.1).sum(), [100_000], tolerance: 1)
    }

    func testMatmulValues() {
        let a = Tensor([1, 2, 3, 4, 5, 6] as [Float], shape: [2, 3])
        let b = Tensor([7, 8, 9, 10, 11, 12] as [Float], shape: [3, 2])
        assertTensor(a.matmul(b), [58, 64, 139, 154], shape: [2, 2])
        assertTensor(b.mT.matmul(a.mT), [58, 139, 64, 154], shape: [2, 2])
        assertTensor(a.matmul(Tensor([1, 0, -1] as [Float])), [-2, -2], shape: [2])
        assertTensor(Tensor([1, 1] as [Float]).matmul(a), [5, 7, 9], shape: [3])
        assertTensor(Tensor([1, 2] as [Float]).matmul(Tensor([3, 4] as [Float])), [11], shape: [])
        // Batched with broadcast batch dims, against per-matrix products.
        let x = Tensor.randn([4, 1, 3, 5], generator: Generator(seed: 1))
        let y = Tensor.randn([2, 5, 6], generator: Generator(seed: 2))
        let z = x.matmul(y)
        XCTAssertEqual(z.shape, [4, 2, 3, 6])
        for i in 0..<4 {
            for j in 0..<2 {
                assertTensor(z[i][j], naiveMatmul(x[i][0], y[j]), tolerance: 1e-4)
            }
        }
        // A strided (sliced) operand that BLAS cannot read directly is copied first.
        let wide = Tensor.randn([3, 10], generator: Generator(seed: 3))
        let strided = wide.slice(dim: 1, start: 0, end: 10, step: 2)
        assertTensor(strided.matmul(y[0]), naiveMatmul(strided, y[0]), tolerance: 1e-4)
        assertTensor(x.matmul(y[0]), (0..<4).flatMap { naiveMatmul(x[$0][0], y[0]) }, tolerance: 1e-4)
    }

    func testIndexingValues() {
        let t = Tensor.arange(0, 12).reshape([4, 3])
        assertTensor(t.indexSelect(dim: 0, index: Tensor([3, 0, 3])), [9, 10, 11, 0, 1, 2, 9, 10, 11], shape: [3, 3])
        assertTensor(t.indexSelect(dim: 1, index: Tensor([2])), [2, 5, 8, 11], shape: [4, 1])
        // torch.arange(12.).reshape(4, 3).repeat_interleave(torch.tensor([2, 0, 1, 1]), dim=0)
        assertTensor(t.repeatInterleave(Tensor([2, 0, 1, 1] as [Int64]), dim: 0), [0, 1, 2, 0, 1, 2, 6, 7, 8, 9, 10, 11], shape: [4, 3])
        assertTensor(t.repeatInterleave(Tensor([0, 0, 0] as [Int64]), dim: 1), [], shape: [4, 0])
        assertTensor(t.gather(dim: 1, index: Tensor([0, 2, 1, 1, 2, 0, 0, 0], shape: [4, 2])), [0, 2, 4, 4, 8, 6, 9, 9])
        assertTensor(t.gather(dim: 0, index: Tensor([3, 2, 1], shape: [1, 3])), [9, 7, 5])
        let scattered = Tensor.zeros([2, 4]).scatterAdd(dim: 1, index: Tensor([0, 0, 3, 1, 1, 1], shape: [2, 3]),
                                                        source: Tensor([1, 2, 3, 4, 5, 6] as [Float], shape: [2, 3]))
        assertTensor(scattered, [3, 0, 0, 3, 0, 15, 0, 0])
        let sum = Tensor.zeros([3, 2]).indexAdd(dim: 0, index: Tensor([2, 2]), source: Tensor.ones([2, 2]))
        assertTensor(sum, [0, 0, 0, 0, 2, 2])
        let mask = Tensor([true, false, true])
        assertTensor(Tensor.where(mask, Tensor.ones([2, 3]), Tensor.zeros([3])), [1, 0, 1, 1, 0, 1])
        assertTensor(Tensor.ones([2, 3]).maskedFill(mask, -5), [-5, 1, -5, -5, 1, -5])
        assertTensor(Tensor.ones([3, 3]).tril(), [1, 0, 0, 1, 1, 0, 1, 1, 1])
        assertTensor(Tensor.ones([2, 3]).triu(diagonal: 1), [0, 1, 1, 0, 0, 1])
        assertTensor(Tensor.ones([2, 2, 2]).tril(diagonal: -1), [0, 0, 1, 0, 0, 0, 1, 0])
    }

    func testJoiningValues() {
        let a = Tensor([1, 2, 3, 4] as [Float], shape: [2, 2]), b = Tensor([5, 6] as [Float], shape: [1, 2])
        assertTensor(Tensor.cat([a, b]), [1, 2, 3, 4, 5, 6], shape: [3, 2])
        assertTensor(Tensor.cat([a, b.mT], dim: 1), [1, 2, 5, 3, 4, 6], shape: [2, 3])
        assertTensor(Tensor.stack([a, a * 2.0], dim: 2), [1, 2, 2, 4, 3, 6, 4, 8], shape: [2, 2, 2])
        let parts = Tensor.arange(0, 7).split(3)
        XCTAssertEqual(parts.map(\.shape), [[3], [3], [1]])
        assertTensor(parts[2], [6])
        XCTAssertEqual(Tensor.arange(0, 7).chunk(2).map(\.shape), [[4], [3]])
        XCTAssertEqual(Tensor.zeros([2, 6]).split(sizes: [1, 5], dim: 1).map(\.shape), [[2, 1], [2, 5]])
    }

    func testInPlaceUpdates() {
        let w = Tensor([1, 2] as [Float]).requiringGrad()
        withNoGrad { w -= Tensor([0.5, 0.5] as [Float]) }
        assertTensor(w, [0.5, 1.5])
        XCTAssertTrue(w.requiresGrad)
        let plain = Tensor.ones([2, 2])
        plain *= 3
        plain += Tensor([1, 2] as [Float])
        assertTensor(plain, [4, 5, 4, 5])
        plain.zero()
        assertTensor(plain, [0, 0, 0, 0])
    }

    /// In-place updates write straight into the tensor when nothing on the right
    /// overlaps it in another layout, and through a temporary when something does.
    func testInPlaceUpdatesThroughViewsAndAliases() {
        let x = Tensor([1, 2, 3, 4] as [Float])
        x += x
        assertTensor(x, [2, 4, 6, 8])
        let shifted = Tensor([1, 2, 3, 4] as [Float])
        let tail = shifted.narrow(dim: 0, start: 1, length: 3)
        tail += shifted.narrow(dim: 0, start: 0, length: 3)
        assertTensor(shifted, [1, 3, 5, 7])   // each sum of the old values, not of ones just written
        let m = Tensor([1, 2, 3, 4, 5, 6] as [Float], shape: [2, 3])
        let column = m.narrow(dim: 1, start: 1, length: 1)   // not contiguous
        column *= 10
        assertTensor(m, [1, 20, 3, 4, 50, 6], shape: [2, 3])
        let row = m.narrow(dim: 0, start: 1, length: 1)   // contiguous, at an offset
        row -= Tensor([1, 1, 1] as [Float])
        assertTensor(m, [1, 20, 3, 3, 49, 5], shape: [2, 3])
        let wide = Tensor([1, 2] as [Float])
        wide *= Tensor(scalar: 0.5, dtype: .float64)   // float64 on the right: float32 stays
        XCTAssertEqual(wide.dtype, .float32)
        assertTensor(wide, [0.5, 1])
    }

    func testDescription() {
        XCTAssertEqual(Tensor([1, -2.5, 0, 3] as [Float], shape: [2, 2]).description,
                       "tensor([[ 1.0000, -2.5000],\n        [ 0.0000,  3.0000]])")
        XCTAssertEqual(Tensor([1, 2, 3]).description, "tensor([1, 2, 3])")
        XCTAssertEqual(Tensor(scalar: 2, dtype: .float64).description, "tensor(2.0000, dtype: float64)")
        XCTAssertEqual(Tensor([true, false]).description, "tensor([ true, false])")
        XCTAssertEqual(Tensor([1] as [Float]).requiringGrad().description, "tensor([1.0000], requiresGrad: true)")
        XCTAssertEqual((Tensor([1] as [Float]).requiringGrad() * 2.0).description, "tensor([2.0000], gradFn: mul)")
        XCTAssertEqual(Tensor([1e-6, 1] as [Float]).description, "tensor([1.0000e-06, 1.0000e+00])")
        XCTAssertEqual(Tensor.arange(2000).description, "tensor([   0,    1,    2, ..., 1997, 1998, 1999])")
    }

    private func naiveMatmul(_ a: Tensor, _ b: Tensor) -> [Double] {
        let x = a.contiguous().doubles, y = b.contiguous().doubles
        let m = a.shape[0], k = a.shape[1], n = b.shape[1]
        return (0..<m * n).map { i in (0..<k).reduce(0.0) { $0 + x[i / n * k + $1] * y[$1 * n + i % n] } }
    }
}

extension TensorTests {
    func testMaxPoolPicksFirstOfTiesAndPropagatesNaN() {
        // Wide enough for the four-window SIMD path and its scalar tail.
        var values = [Float](repeating: 1, count: 2 * 10)
        values[3] = 5; values[10 + 6] = 7; values[8] = .nan
        let x = Tensor(values, shape: [1, 1, 2, 10]).requiringGrad()
        let y = x.maxPool2d(kernelSize: 2)
        XCTAssertEqual(Array(y.floats[0..<4]), [1, 5, 1, 7])
        XCTAssertTrue(y.floats[4].isNaN)
        y.sum().backward()
        // Gradient to the first of tied ones, to the maxima, and to the NaN.
        var expected = [Float](repeating: 0, count: 20)
        expected[0] = 1; expected[3] = 1; expected[4] = 1; expected[16] = 1; expected[8] = 1
        XCTAssertEqual(x.grad!.floats, expected)
    }
}

extension TensorTests {
    func testEmptyTensorsFlowThroughOps() {
        let empty = Tensor.zeros([0, 3])
        XCTAssertEqual((empty.transpose(0, 1) + 1.0).shape, [3, 0])
        XCTAssertEqual(empty.transpose(0, 1).contiguous().shape, [3, 0])
        assertTensor(empty.sum(dim: 0), [0, 0, 0], shape: [3])
        assertTensor(empty.sum(), [0], shape: [])
        assertTensor(Tensor.zeros([2, 0]).matmul(Tensor.zeros([0, 3])), [0, 0, 0, 0, 0, 0], shape: [2, 3])
        XCTAssertEqual(Tensor.cat([empty, Tensor.ones([2, 3])]).shape, [2, 3])
        XCTAssertEqual(empty.relu().exp().shape, [0, 3])
    }
}

extension TensorTests {
    /// The tests compare with `(a - b).abs().max().item() < tolerance`, which is only a
    /// check if `max` returns a NaN found anywhere (as PyTorch's does): in the unrolled
    /// part of a row, its tail, a column reduction, float32 and float64.
    func testMaxAndMinPropagateANaNFromAnyPosition() {
        for dtype in [DType.float32, .float64] {
            for position in 0..<21 {
                var values = (0..<21).map { Double($0 % 5) - 2 }
                values[position] = .nan
                let row = Tensor(values, shape: [21]).to(dtype), grid = Tensor(values, shape: [3, 7]).to(dtype)
                for reduced in [row.max(), row.min(), row.abs().max(), grid.max(dim: 0), grid.max(dim: 1), grid.min(dim: 0)] {
                    XCTAssertTrue(reduced.doubles.contains(where: \.isNaN), "\(dtype), NaN at \(position)")
                }
                XCTAssertFalse(row.max().item() < 1e9, "\(dtype), NaN at \(position)")
            }
        }
    }
}

extension TensorTests {
    func testIsFiniteFindsNaNAndInfinitiesAnywhere() {
        for dtype in [DType.float32, .float64] {
            let x = Tensor([1, -.infinity, 0, .nan, .greatestFiniteMagnitude, .infinity] as [Double], shape: [2, 3]).to(dtype)
            XCTAssertEqual(x.isFinite().dtype, .bool)
            XCTAssertEqual(x.isFinite().shape, [2, 3])
            XCTAssertEqual(x.isFinite().doubles, [1, 0, 1, 0, dtype == .float32 ? 0 : 1, 0], "\(dtype)")
            XCTAssertFalse(x.allFinite)
            for position in 0..<17 {
                var values = [Double](repeating: 0.5, count: 17)
                XCTAssertTrue(Tensor(values).to(dtype).allFinite)
                values[position] = .nan
                XCTAssertFalse(Tensor(values).to(dtype).allFinite, "\(dtype), NaN at \(position)")
            }
        }
        XCTAssertTrue(Tensor([Int64.max, 0], shape: [2]).allFinite)
    }
}
