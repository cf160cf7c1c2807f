import XCTest
@testable import Ember

/// Every differentiable op's backward against central finite differences in float64,
/// with broadcasting where the op broadcasts.
final class GradCheckTests: XCTestCase {
    func testArithmeticWithBroadcasting() {
        let a = leaf([2, 3], seed: 1), b = leaf([3], seed: 2), c = leaf([2, 1], seed: 3, shift: 3)
        assertGradients([a, b]) { $0[0] + $0[1] }
        assertGradients([a, b]) { $0[0] - $0[1] }
        assertGradients([a, b]) { $0[0] * $0[1] }
        assertGradients([a, c]) { $0[0] / $0[1] }
        assertGradients([a]) { -$0[0] }
        assertGradients([a]) { 2.0 - $0[0] * 3.0 + 1.0 }
        assertGradients([c]) { 1.0 / $0[0] }
    }

    func testPowers() {
        let a = leaf([2, 3], seed: 4, scale: 0.5, shift: 2), b = leaf([3], seed: 5)
        assertGradients([a, b]) { $0[0].pow($0[1]) }
        assertGradients([a]) { $0[0].pow(3) }
        assertGradients([a]) { $0[0].pow(2) }
        assertGradients([a]) { $0[0].pow(-1.5) }
        assertGradients([a]) { $0[0].sqrt() }
        assertGradients([a]) { $0[0].rsqrt() }
    }

    func testMathFunctions() {
        let a = leaf([3, 4], seed: 6)
        let positive = leaf([3, 4], seed: 7, scale: 0.3, shift: 2)
        assertGradients([a]) { $0[0].exp() }
        assertGradients([positive]) { $0[0].log() }
        assertGradients([a]) { $0[0].abs() }
        assertGradients([a]) { $0[0].sin() }
        assertGradients([a]) { $0[0].cos() }
        assertGradients([a]) { $0[0].erf() }
        assertGradients([a]) { $0[0].clamp(min: -0.5, max: 0.5) }
        assertGradients([a]) { $0[0].clamp(min: 0) }
    }

    func testMinimumMaximumWithBroadcasting() {
        let a = leaf([2, 3], seed: 8), b = leaf([3], seed: 9)
        assertGradients([a, b]) { $0[0].maximum($0[1]) }
        assertGradients([a, b]) { $0[0].minimum($0[1]) }
    }

    func testActivations() {
        let a = leaf([3, 5], seed: 10)
        assertGradients([a]) { $0[0].relu() }
        assertGradients([a]) { $0[0].leakyRelu(negativeSlope: 0.1) }
        assertGradients([a]) { $0[0].sigmoid() }
        assertGradients([a]) { $0[0].tanh() }
        assertGradients([a]) { $0[0].gelu() }
        assertGradients([a]) { $0[0].gelu(approximate: .tanh) }
        assertGradients([a]) { $0[0].softmax(dim: 1) }
        assertGradients([a]) { $0[0].softmax(dim: 0) }
        assertGradients([a]) { $0[0].logSoftmax(dim: -1) }
        assertGradients([a]) { $0[0].logSoftmax(dim: 0) }
    }

    func testReductions() {
        let a = leaf([2, 3, 4], seed: 11)
        assertGradients([a]) { $0[0].sum() }
        assertGradients([a]) { $0[0].sum(dim: 1) }
        assertGradients([a]) { $0[0].sum(dims: [0, 2], keepDim: true) }
        assertGradients([a]) { $0[0].mean(dim: -1) }
        assertGradients([a]) { $0[0].mean() }
        assertGradients([a]) { $0[0].max(dim: 1) }
        assertGradients([a]) { $0[0].min(dims: [0, 2]) }
        assertGradients([a]) { $0[0].max() }
        assertGradients([a]) { $0[0].var(dim: 2) }
        assertGradients([a]) { $0[0].var(dims: [0, 1], correction: 0, keepDim: true) }
        assertGradients([a]) { $0[0].std(dim: 0) }
        assertGradients([a]) { $0[0].logsumexp(dim: 1) }
        assertGradients([a]) { $0[0].logsumexp() }
        assertGradients([a]) { $0[0].transpose(0, 2).sum(dim: 1) }
    }

    func testMatmul() {
        let m = leaf([3, 4], seed: 12), n = leaf([4, 2], seed: 13), v = leaf([4], seed: 14)
        assertGradients([m, n]) { $0[0].matmul($0[1]) }
        assertGradients([m, v]) { $0[0].matmul($0[1]) }
        assertGradients([v, n]) { $0[0].matmul($0[1]) }
        assertGradients([v]) { $0[0].matmul($0[0]) }
        assertGradients([m, n]) { $0[1].mT.matmul($0[0].mT) }
        let batch = leaf([2, 3, 4], seed: 15), shared = leaf([1, 4, 5], seed: 16)
        assertGradients([batch, shared]) { $0[0].matmul($0[1]) }
        assertGradients([batch, n]) { $0[0].matmul($0[1]) }
        let left = leaf([5, 1, 3, 4], seed: 17), right = leaf([2, 4, 3], seed: 18)
        assertGradients([left, right]) { $0[0].matmul($0[1]) }
    }

    func testViews() {
        let a = leaf([2, 3, 4], seed: 19)
        assertGradients([a]) { $0[0].reshape([4, 6]) * Tensor.arange(0, 24, dtype: .float64).reshape([4, 6]) }
        assertGradients([a]) { $0[0].permute([2, 0, 1]).contiguous() }
        assertGradients([a]) { $0[0].transpose(0, 1).reshape([3, 8]) }
        assertGradients([a]) { $0[0].flatten(startDim: 1) }
        assertGradients([a]) { $0[0].slice(dim: 2, start: 1, end: 4, step: 2) }
        assertGradients([a]) { $0[0].narrow(dim: 1, start: 1, length: 2) }
        assertGradients([a]) { $0[0].select(dim: 1, index: -1) }
        assertGradients([a]) { $0[0][1] }
        assertGradients([a]) { $0[0].unsqueeze(1).squeeze() }
        let b = leaf([3, 1], seed: 20)
        assertGradients([b]) { $0[0].expand([2, 3, 4]) }
    }

    func testIndexingAndJoining() {
        let a = leaf([4, 3], seed: 21)
        let index = Tensor([2, 0, 2, 3])
        assertGradients([a]) { $0[0].indexSelect(dim: 0, index: index) }
        assertGradients([a]) { $0[0].indexSelect(dim: 1, index: Tensor([1, 1])) }
        assertGradients([a]) { $0[0].repeatInterleave(Tensor([2, 0, 1, 3] as [Int64]), dim: 0) }
        assertGradients([a]) { $0[0].repeatInterleave(Tensor([0, 4, 1] as [Int64]), dim: -1) }
        let gatherIndex = Tensor([0, 2, 1, 1, 0, 0, 2, 2], shape: [4, 2])
        assertGradients([a]) { $0[0].gather(dim: 1, index: gatherIndex) }
        let src = leaf([4, 2], seed: 22)
        assertGradients([a, src]) { $0[0].scatterAdd(dim: 1, index: gatherIndex, source: $0[1]) }
        let rows = leaf([2, 3], seed: 23)
        assertGradients([a, rows]) { $0[0].indexAdd(dim: 0, index: Tensor([3, 3]), source: $0[1]) }
        let b = leaf([2, 3], seed: 24)
        assertGradients([a, b]) { Tensor.cat([$0[0], $0[1]], dim: 0) }
        assertGradients([b, rows]) { Tensor.stack([$0[0], $0[1]], dim: 1) }
        assertGradients([a]) { $0[0].split(3, dim: 0)[1] * 2.0 }
        assertGradients([a]) { $0[0].chunk(2, dim: 0)[0] - $0[0].chunk(2, dim: 0)[1] }
        let mask = a.detach().gt(0)
        assertGradients([a, b]) { Tensor.where(mask, $0[0], $0[1].sum(dim: 0)) }
        assertGradients([a]) { $0[0].maskedFill(mask, -1) }
        let square = leaf([3, 3], seed: 25)
        assertGradients([square]) { $0[0].tril() }
        assertGradients([square]) { $0[0].triu(diagonal: 1) }
    }

    func testCompositeExpression() {
        let x = leaf([4, 3], seed: 26), w = leaf([3, 2], seed: 27), bias = leaf([2], seed: 28)
        assertGradients([x, w, bias]) { inputs in
            (inputs[0].matmul(inputs[1]) + inputs[2]).tanh().logSoftmax(dim: 1).mean()
        }
    }
}

extension GradCheckTests {
    func testUnbroadcastingAndItsSecondOrder() {
        let a = leaf([3, 1], seed: 40)
        assertGradients([a]) { $0[0].expand([2, 3, 4]).sumTo([3, 1]) * 2.0 }
        assertGradients([a]) { $0[0].expand([2, 3, 4]).sumTo([1, 3, 4]) }
        // Gradient of a gradient through slice's backward (which is a scatter into zeros).
        let b = leaf([4, 3], seed: 41)
        assertGradients([b]) { inputs in
            withGradMode(true) {
                let y = (inputs[0].slice(dim: 0, start: 1, step: 2).pow(3)).sum()
                inputs[0].grad = nil
                y.backward(createGraph: true)
                defer { inputs[0].grad = nil }
                return inputs[0].grad!
            }
        }
    }
}

extension GradCheckTests {
    func testConvolutionAndPooling() {
        let x = leaf([2, 4, 5, 6], seed: 50), w = leaf([6, 2, 3, 2], seed: 51), b = leaf([6], seed: 52)
        assertGradients([x, w, b]) { $0[0].conv2d(weight: $0[1], bias: $0[2], stride: [2, 1], padding: 1, dilation: [1, 2], groups: 2) }
        let pointwise = leaf([3, 4, 1, 1], seed: 53)
        assertGradients([x, pointwise]) { $0[0].conv2d(weight: $0[1]) }
        assertGradients([x]) { $0[0].maxPool2d(kernelSize: 2) }
        assertGradients([x]) { $0[0].maxPool2d(kernelSize: 3, stride: [2, 1], padding: 1) }
        assertGradients([x]) { $0[0].avgPool2d(kernelSize: 3, stride: 2, padding: 1, countIncludePad: false) }
        assertGradients([x]) { $0[0].adaptiveAvgPool2d(outputSize: [2, 4]) }
        let sequence = leaf([2, 4, 9], seed: 54), kernel = leaf([6, 2, 3], seed: 55), shift = leaf([6], seed: 56)
        assertGradients([sequence, kernel, shift]) { $0[0].conv1d(weight: $0[1], bias: $0[2], stride: 2, padding: 2, dilation: 2, groups: 2) }
        for mode in PaddingMode.allCases {
            assertGradients([sequence]) { $0[0].padLast(left: 3, right: 1, mode: mode) }
        }
        assertGradients([sequence]) { $0[0].adaptiveAvgPool1d(outputSize: 4) }
    }

    func testNormalizationAndDropout() {
        let x = leaf([3, 4, 5], seed: 54), w = leaf([4, 5], seed: 55), b = leaf([5], seed: 56)
        assertGradients([x, w, b]) { $0[0].layerNorm(normalizedShape: [4, 5], weight: $0[1], bias: $0[2]) }
        assertGradients([x, b]) { $0[0].layerNorm(normalizedShape: [5], bias: $0[1]) }
        assertGradients([x]) { $0[0].transpose(0, 2).layerNorm(normalizedShape: [3]) }
        // The fused kernel against the formula in plain ops.
        let y = x.layerNorm(normalizedShape: [4, 5], weight: w, bias: b)
        let centered = x - x.mean(dims: [1, 2], keepDim: true)
        let reference = centered * ((centered * centered).mean(dims: [1, 2], keepDim: true) + 1e-5).rsqrt() * w + b
        XCTAssertLessThan((y - reference).abs().max().item(), 1e-12)
        // float32 runs eight lanes at a time: rows of 8k + 5 elements cover both paths.
        for width in [13, 128] {
            let wide = leaf([6, width], seed: 57, scale: 3, shift: 1), scale = leaf([width], seed: 58), shift = leaf([width], seed: 59)
            let narrow = [wide, scale, shift].map { $0.to(.float32).detach().requiringGrad() }
            let y64 = wide.layerNorm(normalizedShape: [width], weight: scale, bias: shift)
            let y32 = narrow[0].layerNorm(normalizedShape: [width], weight: narrow[1], bias: narrow[2])
            XCTAssertLessThan((y32.to(.float64) - y64).abs().max().item(), 1e-5, "width \(width)")
            let g = Tensor.randn([6, width], dtype: .float64, generator: Generator(seed: 60))
            y64.backward(g)
            y32.backward(g.to(.float32))
            for (a, b) in zip(narrow, [wide, scale, shift]) {
                XCTAssertLessThan((a.grad!.to(.float64) - b.grad!).abs().max().item(), 1e-4, "width \(width)")
            }
        }
        assertGradients([x]) { $0[0].dropout(p: 0.3, generator: Generator(seed: 9)) }
    }
}

extension GradCheckTests {
    func testLinear() {
        let x = leaf([2, 3, 4], seed: 60), w = leaf([5, 4], seed: 61), b = leaf([5], seed: 62)
        assertGradients([x, w, b]) { $0[0].linear(weight: $0[1], bias: $0[2]) }
        assertGradients([x, w]) { $0[0][0].linear(weight: $0[1]) }
        // Against matmul and add, and with gradients of gradients.
        let y = x.linear(weight: w, bias: b), z = x.matmul(w.mT) + b
        XCTAssertLessThan((y - z).abs().max().item(), 1e-12)
        assertGradients([x, w]) { inputs in
            withGradMode(true) {
                let loss = inputs[0].linear(weight: inputs[1]).tanh().sum()
                loss.backward(createGraph: true)
                let g = inputs[0].grad!
                // The inner backward also filled the weight's grad; the check's own pass must start clean.
                for t in inputs { t.grad = nil }
                return g
            }
        }
    }
}

extension GradCheckTests {
    func testBatchNorm() {
        let x = leaf([4, 3, 5], seed: 70, scale: 2, shift: 1), w = leaf([3], seed: 71), b = leaf([3], seed: 72)
        assertGradients([x, w, b]) { $0[0].batchNorm(runningMean: nil, runningVar: nil, weight: $0[1], bias: $0[2], training: true) }
        assertGradients([x]) { $0[0][0..<2].reshape([2, 15]).batchNorm(runningMean: nil, runningVar: nil, training: true) }
        let mean = Tensor([0.5, -1, 2] as [Double]), variance = Tensor([1, 4, 0.25] as [Double])
        assertGradients([x, w, b]) {
            $0[0].batchNorm(runningMean: mean, runningVar: variance, weight: $0[1], bias: $0[2], training: false)
        }
        // The same values as the definition written with tensor ops.
        let y = x.batchNorm(runningMean: nil, runningVar: nil, weight: w, bias: b, training: true)
        let centered = x - x.mean(dims: [0, 2], keepDim: true)
        let reference = centered * (x.var(dims: [0, 2], correction: 0, keepDim: true) + 1e-5).rsqrt() * w.reshape([1, 3, 1]) + b.reshape([1, 3, 1])
        XCTAssertLessThan((y - reference).abs().max().item(), 1e-12)
    }
}
