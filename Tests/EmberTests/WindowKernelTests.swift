import XCTest
@testable import Ember

/// float32 convolution and 2×2 max pooling run through `CEmberMath`'s masked AVX-512
/// (or AVX2) row kernels; they must give what the float64 loops give, on rows wider
/// than one vector and with tails, with strides, dilation, odd sizes, ties and NaN.
final class WindowKernelTests: XCTestCase {
    private func maxDifference(_ a: Tensor, _ b: Tensor) -> Double { (a.to(.float64) - b.to(.float64)).abs().max().item() }

    /// Forward values and all three gradients of float32 against float64.
    private func assertConvolutionMatches(input: [Int], weight: [Int], stride: Size2D = 1, padding: Size2D = 0,
                                          dilation: Size2D = 1, groups: Int = 1, file: StaticString = #filePath, line: UInt = #line) {
        let g = Generator(seed: 3)
        let x64 = Tensor.randn(input, dtype: .float64, generator: g), w64 = Tensor.randn(weight, dtype: .float64, generator: g)
        let b64 = Tensor.randn([weight[0]], dtype: .float64, generator: g)
        var results: [[Tensor]] = []
        for dtype in [DType.float32, .float64] {
            let x = x64.to(dtype).requiringGrad(), w = w64.to(dtype).requiringGrad(), b = b64.to(dtype).requiringGrad()
            let y = x.conv2d(weight: w, bias: b, stride: stride, padding: padding, dilation: dilation, groups: groups)
            (y * y.detach().cos()).sum().backward()
            results.append([y, x.grad!, w.grad!, b.grad!])
        }
        for (name, (single, double)) in zip(["output", "input gradient", "weight gradient", "bias gradient"], zip(results[0], results[1])) {
            let scale = double.abs().max().item() as Double
            XCTAssertLessThan(maxDifference(single, double), 1e-5 * Swift.max(scale, 1), "\(name) of \(input) ⋆ \(weight)", file: file, line: line)
        }
    }

    func testConvolutionRowsMatchFloat64() {
        inEveryVectorWidth { _ in checkConvolutionRows() }
    }

    private func checkConvolutionRows() {
        assertConvolutionMatches(input: [2, 3, 9, 37], weight: [4, 3, 3, 3], padding: 1)          // rows of 37: two vectors and a tail
        assertConvolutionMatches(input: [1, 2, 11, 16], weight: [3, 2, 3, 2], padding: [2, 1], dilation: [2, 3])
        assertConvolutionMatches(input: [2, 4, 8, 7], weight: [4, 2, 3, 3], stride: [2, 1], padding: 1, groups: 2)
        assertConvolutionMatches(input: [1, 2, 9, 12], weight: [3, 2, 3, 3], stride: 2)          // strided columns: the portable loop
    }

    func testPairMaxPoolMatchesFloat64WithTiesAndNaN() {
        inEveryVectorWidth { _ in checkPairMaxPool() }
    }

    private func checkPairMaxPool() {
        // Values on a coarse grid tie often; rows of 41 give 20 windows (a full vector of
        // 16 and a tail of 4) and leave the last column out; the odd last row is left out too.
        let g = Generator(seed: 5)
        var values = (Tensor.randint(0, 4, [2, 3, 9, 41], generator: g).to(.float64) * 0.5).doubles
        values[41 * 2 + 30] = .nan
        let x64 = Tensor(values, shape: [2, 3, 9, 41]).requiringGrad(), x32 = x64.detach().to(.float32).requiringGrad()
        let y64 = x64.maxPool2d(kernelSize: 2), y32 = x32.maxPool2d(kernelSize: 2)
        XCTAssertEqual(y32.shape, [2, 3, 4, 20])
        XCTAssertEqual(y32.to(.float64).doubles.map { $0.isNaN ? -1 : $0 }, y64.doubles.map { $0.isNaN ? -1 : $0 })
        let upstream = Tensor.randn(y64.shape, dtype: .float64, generator: g)
        (y64 * upstream).sum().backward()
        (y32 * upstream.to(.float32)).sum().backward()
        XCTAssertEqual(x32.grad!.to(.float64).doubles, x64.grad!.to(.float32).to(.float64).doubles, "each gradient at the same winner")

        // Exactly tiled planes (w = 2·ow) take the vector backward pass.
        let tiled64 = (Tensor.randint(0, 3, [3, 2, 6, 36], generator: g).to(.float64)).requiringGrad()
        let tiled32 = tiled64.detach().to(.float32).requiringGrad()
        let up = Tensor.randn([3, 2, 3, 18], dtype: .float64, generator: g)
        (tiled64.maxPool2d(kernelSize: 2) * up).sum().backward()
        (tiled32.maxPool2d(kernelSize: 2) * up.to(.float32)).sum().backward()
        XCTAssertEqual(tiled32.grad!.to(.float64).doubles, tiled64.grad!.to(.float32).to(.float64).doubles)
    }
}
