import XCTest
@testable import Ember

/// The fused recurrent op against the same equations written step by step with tensor
/// ops, and its gradients against finite differences through several steps.
final class RecurrentTests: XCTestCase {
    /// One step of `cell` from `(h, c)` written with plain ops: `x` `[B, I]`.
    private func referenceStep(_ cell: RecurrentCellKind, _ x: Tensor, _ h: Tensor, _ c: Tensor?,
                               _ wih: Tensor, _ whh: Tensor, _ bih: Tensor, _ bhh: Tensor) -> (Tensor, Tensor?) {
        let p = x.matmul(wih.mT) + bih, q = h.matmul(whh.mT) + bhh
        switch cell {
        case .rnnTanh: return ((p + q).tanh(), nil)
        case .rnnReLU: return ((p + q).relu(), nil)
        case .lstm:
            let g = (p + q).chunk(4, dim: 1)
            let cNew = g[1].sigmoid() * c! + g[0].sigmoid() * g[2].tanh()
            return (g[3].sigmoid() * cNew.tanh(), cNew)
        case .gru:
            let a = p.chunk(3, dim: 1), b = q.chunk(3, dim: 1)
            let r = (a[0] + b[0]).sigmoid(), z = (a[1] + b[1]).sigmoid()
            let n = (a[2] + r * b[2]).tanh()
            return ((1.0 - z) * n + z * h, nil)
        }
    }

    private func operands(_ cell: RecurrentCellKind, steps: Int = 3, batch: Int = 2, input: Int = 3, hidden: Int = 4,
                          dtype: DType = .float64, seed: UInt64 = 1) -> [Tensor] {
        let g = Generator(seed: seed), w = cell.gates * hidden
        func make(_ shape: [Int]) -> Tensor {
            (Tensor.randn(shape, dtype: .float64, generator: g) * 0.5).to(dtype).detach().contiguous().requiringGrad()
        }
        return [make([steps, batch, input]), make([batch, hidden]), make([batch, hidden]),
                make([w, input]), make([w, hidden]), make([w]), make([w])]
    }

    private func fused(_ cell: RecurrentCellKind, _ t: [Tensor], reverse: Bool) -> Tensor {
        t[0].recurrentLayer(cell, h0: t[1], c0: cell.hasCellState ? t[2] : nil, weightIH: t[3], weightHH: t[4],
                            biasIH: t[5], biasHH: t[6], reverse: reverse)
    }

    func testMatchesStepByStepOps() {
        for cell in [RecurrentCellKind.rnnTanh, .rnnReLU, .lstm, .gru] {
            for reverse in [false, true] {
                let t = operands(cell)
                let states = fused(cell, t, reverse: reverse)
                var h = t[1], c: Tensor? = cell.hasCellState ? t[2] : nil
                for step in 0..<3 {
                    let i = reverse ? 2 - step : step
                    (h, c) = referenceStep(cell, t[0][i], h, c, t[3], t[4], t[5], t[6])
                    XCTAssertLessThan((states[0][i] - h).abs().max().item(), 1e-12, "\(cell) h at \(i)")
                    if let c { XCTAssertLessThan((states[1][i] - c).abs().max().item(), 1e-12, "\(cell) c at \(i)") }
                }
            }
        }
    }

    func testGradientsThroughSeveralSteps() {
        for cell in [RecurrentCellKind.rnnTanh, .rnnReLU, .lstm, .gru] {
            for reverse in [false, true] {
                let t = operands(cell, seed: 2)
                let used = cell.hasCellState ? t : [t[0], t[1]] + Array(t[3...])
                let mismatch = gradcheck(used) { inputs in
                    let all = cell.hasCellState ? inputs : [inputs[0], inputs[1], t[2]] + Array(inputs[2...])
                    return self.fused(cell, all, reverse: reverse)
                }
                XCTAssertLessThanOrEqual(mismatch, 1, "\(cell) reverse \(reverse)")
            }
        }
    }

    /// Float32 runs eight hidden units at a time, with sigmoid and tanh from
    /// `CEmberMath`'s polynomials (the LSTM wholly in `CEmberMath`'s fused cell, sixteen
    /// units at a time with AVX-512); in every vector width the CPU has, it must agree
    /// with the float64 path (the C library's functions), including hidden sizes that
    /// leave a remainder.
    func testFloatLanesMatchDouble() {
        inEveryVectorWidth { bits in
            for cell in [RecurrentCellKind.rnnTanh, .lstm, .gru] {
                let t = operands(cell, steps: 5, batch: 3, input: 7, hidden: 19, seed: 3)
                let single = t.map { $0.detach().to(.float32).requiringGrad() }
                let double = fused(cell, t, reverse: false), float = fused(cell, single, reverse: false)
                XCTAssertLessThan((float.to(.float64) - double).abs().max().item(), 2e-6, "\(cell), \(bits)-bit vectors")
                double.sum().backward()
                float.sum().backward()
                for (a, b) in zip(t, single) where a.grad != nil {
                    XCTAssertLessThan((b.grad!.to(.float64) - a.grad!).abs().max().item(), 1e-5, "\(cell) gradient, \(bits)-bit vectors")
                }
            }
        }
    }

    /// Large enough steps split their products and batch rows across threads; that must
    /// give what one thread gives (hidden 132 is not a multiple of the eight lanes).
    func testTwoThreadsMatchOne() {
        defer { setNumThreads(2) }
        for cell in [RecurrentCellKind.lstm, .gru] {
            for reverse in [false, true] {
                let t = operands(cell, steps: 4, batch: 96, input: 16, hidden: 132, dtype: .float32, seed: 4)
                var results: [[[Double]]] = []
                for threads in [1, 2] {
                    setNumThreads(threads)
                    for x in t { x.grad = nil }
                    let states = fused(cell, t, reverse: reverse)
                    (states * states).sum().backward()
                    results.append([states.doubles] + t.compactMap { $0.grad?.doubles })
                }
                XCTAssertEqual(results[0].count, results[1].count)
                for (a, b) in zip(results[0], results[1]) {
                    XCTAssertLessThan((Tensor(a) - Tensor(b)).abs().max().item(), 1e-4, "\(cell) reverse \(reverse)")
                }
            }
        }
    }

    /// Steps large enough to split across threads (each thread owning a share of the
    /// hidden units, 132 = 64 + 68 here) against the step-by-step ops, values and every
    /// gradient, in float64.
    func testThreadSplitMatchesStepByStepOps() {
        defer { setNumThreads(2) }
        setNumThreads(2)
        for cell in [RecurrentCellKind.lstm, .gru, .rnnTanh] {
            for reverse in [false, true] {
                // Enough rows that a step's product passes two threads' worth of work.
                let hidden = 132, steps = 3, batch = 256 / cell.gates
                let fusedInputs = operands(cell, steps: steps, batch: batch, input: 5, hidden: hidden, seed: 5)
                XCTAssertEqual(chunks(cell, batch: batch, hidden: hidden), 2, "\(cell) splits")
                let referenceInputs = fusedInputs.map { $0.detach().requiringGrad() }
                let states = fused(cell, fusedInputs, reverse: reverse)
                var h = referenceInputs[1], c: Tensor? = cell.hasCellState ? referenceInputs[2] : nil
                var loss = Tensor.zeros([], dtype: .float64)
                let weights = Tensor.randn([steps, batch, hidden], dtype: .float64, generator: Generator(seed: 6))
                for step in 0..<steps {
                    let i = reverse ? steps - 1 - step : step
                    (h, c) = referenceStep(cell, referenceInputs[0][i], h, c, referenceInputs[3], referenceInputs[4],
                                           referenceInputs[5], referenceInputs[6])
                    XCTAssertLessThan((states[0][i] - h).abs().max().item(), 1e-12, "\(cell) h at \(i)")
                    loss = loss + (h * weights[i]).sum()
                }
                (states[0] * weights).sum().backward()
                loss.backward()
                for (index, (a, b)) in zip(fusedInputs, referenceInputs).enumerated() {
                    guard let expected = b.grad else { continue }
                    XCTAssertLessThan((a.grad! - expected).abs().max().item(), 1e-10, "\(cell) reverse \(reverse) gradient \(index)")
                }
            }
        }
    }

    /// How many threads' shares a step of `cell` splits into.
    private func chunks(_ cell: RecurrentCellKind, batch: Int, hidden: Int) -> Int {
        switch cell {
        case .rnnTanh: Kernels.RecurrentPartition(TanhRNNCell.self, batch: batch, hidden: hidden).units.count
        case .rnnReLU: Kernels.RecurrentPartition(ReLURNNCell.self, batch: batch, hidden: hidden).units.count
        case .lstm: Kernels.RecurrentPartition(LSTMCellKernel.self, batch: batch, hidden: hidden).units.count
        case .gru: Kernels.RecurrentPartition(GRUCellKernel.self, batch: batch, hidden: hidden).units.count
        }
    }

    func testShapeErrorsNameTheOperands() {
        XCTAssertEqual(OpMessage.recurrent(.lstm, input: [3, 2, 5], h0: [2, 4], c0: [2, 4], weightIH: [16, 4], weightHH: [16, 4],
                                              biasIH: nil, biasHH: nil),
                       "recurrentLayer(lstm): input [3, 2, 5], h0 [2, 4], weightIH [16, 4], weightHH [16, 4]: expected h0 [2, H], weightIH [4·H, 5] and weightHH [4·H, H]")
        XCTAssertEqual(OpMessage.recurrent(.gru, input: [3, 2, 5], h0: [2, 4], c0: [2, 4], weightIH: [12, 5], weightHH: [12, 4],
                                              biasIH: [12], biasHH: nil),
                       "recurrentLayer(gru): takes no initial cell state c0")
        XCTAssertNil(OpMessage.recurrent(.gru, input: [3, 2, 5], h0: [2, 4], c0: nil, weightIH: [12, 5], weightHH: [12, 4],
                                            biasIH: [12], biasHH: [12]))
    }
}
