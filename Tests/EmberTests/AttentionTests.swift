import XCTest
@testable import Ember

/// The fused attention op against the same formula written with plain tensor ops, and
/// its gradients against finite differences.
final class AttentionTests: XCTestCase {
    /// `softmax(q kᵀ · scale + mask) v` with plain ops; `causal` as a materialised
    /// lower-triangular mask (PyTorch's top-left alignment).
    private func naive(_ q: Tensor, _ k: Tensor, _ v: Tensor, mask: Tensor? = nil, causal: Bool = false,
                       scale: Double? = nil) -> Tensor {
        let e = q.shape[q.ndim - 1], l = q.shape[q.ndim - 2], s = k.shape[k.ndim - 2]
        var scores = q.matmul(k.transpose(-2, -1)) * (scale ?? 1 / Double(e).squareRoot())
        if causal {
            let allowed = Tensor.ones([l, s], dtype: .bool).tril()
            scores = scores.maskedFill(allowed.logicalNot(), -.infinity)
        }
        if let mask {
            scores = mask.dtype == .bool ? scores.maskedFill(mask.logicalNot(), -.infinity) : scores + mask
        }
        return scores.softmax(dim: -1).matmul(v)
    }

    private func maxDifference(_ a: Tensor, _ b: Tensor) -> Double { (a - b).abs().max().item() }

    func testMatchesNaiveFormula() {
        // 70 queries cross the 32-row blocks the causal kernel skips by.
        let cases: [(q: [Int], s: Int, causal: Bool)] = [([2, 5, 8], 7, false), ([2, 3, 70, 16], 70, true),
                                                         ([1, 2, 40, 4], 50, true), ([3, 1, 6], 1, false)]
        for (shape, s, causal) in cases {
            let kShape = Array(shape.dropLast(2)) + [s, shape.last!]
            let vShape = Array(shape.dropLast(2)) + [s, 5]
            let q = leaf(shape, seed: 1), k = leaf(kShape, seed: 2), v = leaf(vShape, seed: 3)
            let fused = q.scaledDotProductAttention(key: k, value: v, isCausal: causal)
            let reference = naive(q, k, v, causal: causal)
            XCTAssertEqual(fused.shape, reference.shape)
            XCTAssertLessThan(maxDifference(fused, reference), 1e-12, "\(shape) causal \(causal)")
            let g = Tensor.randn(reference.shape, dtype: .float64, generator: Generator(seed: 4))
            fused.backward(g)
            let fusedGrads = [q, k, v].map { $0.grad! }
            [q, k, v].forEach { $0.grad = nil }
            reference.backward(g)
            for (name, (a, b)) in zip(["q", "k", "v"], zip(fusedGrads, [q, k, v].map { $0.grad! })) {
                XCTAssertLessThan(maxDifference(a, b), 1e-12, "d\(name) for \(shape) causal \(causal)")
            }
        }
    }

    func testMasksBroadcastLikePyTorch() {
        let q = leaf([2, 2, 4, 3], seed: 1), k = leaf([2, 2, 6, 3], seed: 2), v = leaf([2, 2, 6, 3], seed: 3)
        // A key-padding mask [B, 1, 1, S]: the second sequence's last two keys are padding.
        let padding = Tensor([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0], shape: [2, 1, 1, 6]).ne(0)
        XCTAssertLessThan(maxDifference(q.scaledDotProductAttention(key: k, value: v, mask: padding),
                                        naive(q, k, v, mask: padding)), 1e-12)
        let additive = leaf([4, 6], seed: 5)
        XCTAssertLessThan(maxDifference(q.scaledDotProductAttention(key: k, value: v, mask: additive, isCausal: true, scale: 0.3),
                                        naive(q, k, v, mask: additive, causal: true, scale: 0.3)), 1e-12)
    }

    func testGradientsMatchFiniteDifferences() {
        let q = leaf([2, 5, 3], seed: 1), k = leaf([2, 5, 3], seed: 2), v = leaf([2, 5, 4], seed: 3)
        let mask = Tensor([1, 1, 0, 1, 1], shape: [5]).ne(0)
        assertGradients([q, k, v]) { t in t[0].scaledDotProductAttention(key: t[1], value: t[2], isCausal: true) }
        assertGradients([q, k, v]) { t in t[0].scaledDotProductAttention(key: t[1], value: t[2], mask: mask) }
        assertGradients([q, k, v]) { t in
            t[0].scaledDotProductAttention(key: t[1], value: t[2], isCausal: true, dropout: 0.4, generator: Generator(seed: 9))
        }
    }

    func testHeadViewsNeedNoCopyAndGiveTheSameAnswer() {
        // [B, T, 3·H·D] split into heads the way a transformer does: strided views.
        let qkv = leaf([2, 6, 3 * 2 * 4], seed: 1)
        let parts = qkv.split(8, dim: 2).map { $0.view([2, 6, 2, 4]).transpose(1, 2) }
        let fused = parts[0].scaledDotProductAttention(key: parts[1], value: parts[2], isCausal: true)
        let reference = naive(parts[0].contiguous(), parts[1].contiguous(), parts[2].contiguous(), causal: true)
        XCTAssertLessThan(maxDifference(fused, reference), 1e-12)
        // The output is stored [B, T, H, D], so merging heads is a free view.
        XCTAssertTrue(fused.transpose(1, 2).isContiguous)
        fused.sum().backward(retainGraph: true)  // the split into heads is shared with the reference
        let viaFused = qkv.grad!
        qkv.grad = nil
        reference.sum().backward()
        XCTAssertLessThan(maxDifference(viaFused, qkv.grad!), 1e-12)
        // The packed op: the same answer, and the gradient written into one tensor.
        qkv.grad = nil
        let packed = qkv.packedSelfAttention(heads: 2, isCausal: true)
        XCTAssertLessThan(maxDifference(packed, reference), 1e-12)
        packed.sum().backward()
        XCTAssertLessThan(maxDifference(viaFused, qkv.grad!), 1e-12)
        assertGradients([qkv]) { t in t[0].packedSelfAttention(heads: 2, mask: Tensor([1, 1, 0, 1, 1, 1], shape: [6]).ne(0)) }
    }

    func testCausalAttentionLeaksNothingFromTheFuture() {
        let q = leaf([1, 9, 4], seed: 1), k = leaf([1, 9, 4], seed: 2), v = leaf([1, 9, 4], seed: 3)
        let before = q.scaledDotProductAttention(key: k, value: v, isCausal: true)
        // Change keys, values and queries from position 5 on.
        let noise = Tensor.randn([1, 4, 4], dtype: .float64, generator: Generator(seed: 8))
        func changed(_ t: Tensor) -> Tensor { Tensor.cat([t.narrow(dim: 1, start: 0, length: 5), noise], dim: 1) }
        let after = changed(q).scaledDotProductAttention(key: changed(k), value: changed(v), isCausal: true)
        XCTAssertEqual(maxDifference(before.narrow(dim: 1, start: 0, length: 5), after.narrow(dim: 1, start: 0, length: 5)), 0)
        XCTAssertGreaterThan(maxDifference(before.narrow(dim: 1, start: 5, length: 4), after.narrow(dim: 1, start: 5, length: 4)), 1e-3)
    }

    func testFullyMaskedQueryAttendsToNothing() {
        let q = leaf([3, 2], seed: 1), k = leaf([4, 2], seed: 2), v = leaf([4, 2], seed: 3)
        let mask = Tensor([1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0], shape: [3, 4]).ne(0)
        let out = q.scaledDotProductAttention(key: k, value: v, mask: mask)
        XCTAssertEqual(out[1].doubles, [0, 0])
        XCTAssertLessThan(maxDifference(out[2], v[0]), 1e-15)
        out.sum().backward()
        XCTAssertFalse(q.grad!.doubles.contains { $0.isNaN })
    }

    func testDropoutKeepsTheExpectationAndIsSeeded() {
        let q = Tensor.zeros([1, 64, 8]), k = Tensor.zeros([1, 400, 8]), v = Tensor.ones([1, 400, 1])
        // Uniform weights 1/400 over ones: each output is (kept count)/(400 · 0.75).
        let out = q.scaledDotProductAttention(key: k, value: v, dropout: 0.25, generator: Generator(seed: 1))
        XCTAssertEqual(out.mean().item(), 1, accuracy: 0.02)
        XCTAssertGreaterThan(out.std().item(), 0.01)
        let again = q.scaledDotProductAttention(key: k, value: v, dropout: 0.25, generator: Generator(seed: 1))
        XCTAssertEqual(maxDifference(out, again), 0)
    }

    func testFloat32AgreesWithFloat64() {
        let q = leaf([2, 4, 50, 16], seed: 1), k = leaf([2, 4, 50, 16], seed: 2), v = leaf([2, 4, 50, 16], seed: 3)
        let wide = q.scaledDotProductAttention(key: k, value: v, isCausal: true)
        let narrow = q.to(.float32).scaledDotProductAttention(key: k.to(.float32), value: v.to(.float32), isCausal: true)
        XCTAssertLessThan(maxDifference(wide, narrow.to(.float64)), 1e-5)
    }

    func testOpMessagesNameTheShapes() {
        XCTAssertNil(OpMessage.attention(query: [2, 3, 4], key: [2, 5, 4], value: [2, 5, 6], mask: [3, 5]))
        XCTAssertEqual(OpMessage.attention(query: [2, 3, 4], key: [2, 5, 3], value: [2, 5, 6], mask: nil),
                       "scaledDotProductAttention: query [2, 3, 4], key [2, 5, 3], value [2, 5, 6]: query and key need the same last dim")
        XCTAssertNotNil(OpMessage.attention(query: [2, 3, 4], key: [2, 5, 4], value: [2, 4, 6], mask: nil))
        XCTAssertNotNil(OpMessage.attention(query: [2, 3, 4], key: [2, 5, 4], value: [2, 5, 6], mask: [4, 5]))
        XCTAssertNotNil(OpMessage.attention(query: [3, 4], key: [2, 5, 4], value: [2, 5, 6], mask: nil))
    }
}
