/// The recurrent cells `recurrentLayer` runs, with PyTorch's equations and gate order.
public enum RecurrentCellKind: Sendable {
    /// `h = tanh(x Wᵢₕᵀ + bᵢₕ + h₋₁ Wₕₕᵀ + bₕₕ)` (`nn.RNN`, the default nonlinearity).
    case rnnTanh
    /// `h = relu(x Wᵢₕᵀ + bᵢₕ + h₋₁ Wₕₕᵀ + bₕₕ)` (`nn.RNN(nonlinearity="relu")`).
    case rnnReLU
    /// `nn.LSTM`: gates i, f, g, o; a cell state `c` beside `h`.
    case lstm
    /// `nn.GRU`: gates r, z, n.
    case gru

    /// Gate rows per hidden unit in the weights: 1, 1, 4 or 3.
    public var gates: Int {
        switch self {
        case .rnnTanh, .rnnReLU: return 1
        case .lstm: return 4
        case .gru: return 3
        }
    }

    /// Whether the cell carries a cell state `c` (LSTM).
    public var hasCellState: Bool { self == .lstm }
}

extension Tensor {
    /// One recurrent layer in one direction over a whole sequence, as one fused op:
    /// `self` is the input `[T, B, I]`, `h0` (and, for LSTM, `c0`) the initial state
    /// `[B, H]`, `weightIH` `[gates·H, I]`, `weightHH` `[gates·H, H]`, biases `[gates·H]`.
    ///
    /// Returns the state after every step, `[S, T, B, H]`, where S is 1 (`h`) or 2 for
    /// LSTM (`h`, then `c`), indexed by input position: with `reverse` the sequence is
    /// read from its end, so the final state is at position 0. The input projection of
    /// every step is one GEMM, each step one GEMM plus one fused pass of the gate
    /// arithmetic, and the backward pass mirrors it (its weight gradients are one GEMM
    /// each over all steps). Gradients of gradients are not recorded through it.
    public func recurrentLayer(_ cell: RecurrentCellKind, h0: Tensor, c0: Tensor? = nil,
                               weightIH: Tensor, weightHH: Tensor, biasIH: Tensor? = nil, biasHH: Tensor? = nil,
                               reverse: Bool = false) -> Tensor {
        if let problem = OpMessage.recurrent(cell, input: shape, h0: h0.shape, c0: c0?.shape, weightIH: weightIH.shape,
                                                weightHH: weightHH.shape, biasIH: biasIH?.shape, biasHH: biasHH?.shape) {
            preconditionFailure(problem)
        }
        let operands = [self, h0, weightIH, weightHH] + [c0, biasIH, biasHH].compactMap { $0 }
        precondition(dtype.isFloatingPoint && operands.allSatisfy { $0.dtype == dtype },
                     "recurrentLayer(\(cell)): all operands must share one floating-point dtype, got \(operands.map(\.dtype))")

        let x = contiguous(), h = h0.contiguous(), c = c0?.contiguous()
        let weights = Kernels.RecurrentWeights(ih: weightIH.contiguous(), hh: weightHH.contiguous(),
                                               ihBias: biasIH?.contiguous(), hhBias: biasHH?.contiguous())
        func run<C: RecurrentCell>(_ kernel: C.Type) -> Tensor {
            let (states, saved) = Kernels.recurrentForward(C.self, x, h0: h, c0: c, weights, reverse: reverse)
            let inputs = [x, h] + (c.map { [$0] } ?? []) + [weights.ih, weights.hh]
                + [weights.ihBias, weights.hhBias].compactMap { $0 }
            return states.recorded("recurrentLayer", inputs) { g in
                let grads = Kernels.recurrentBackward(C.self, x, h0: h, c0: c, weights, reverse: reverse,
                                                      states: states, saved: saved, gradStates: g.contiguous())
                return [grads.x, grads.h0] + (c == nil ? [] : [grads.c0]) + [grads.ih, grads.hh]
                    + (weights.ihBias == nil ? [] : [grads.ihBias]) + (weights.hhBias == nil ? [] : [grads.hhBias])
            }
        }
        switch cell {
        case .rnnTanh: return run(TanhRNNCell.self)
        case .rnnReLU: return run(ReLURNNCell.self)
        case .lstm: return run(LSTMCellKernel.self)
        case .gru: return run(GRUCellKernel.self)
        }
    }
}

extension OpMessage {
    /// What is wrong with the shapes of a `recurrentLayer` call, or nil if nothing.
    public static func recurrent(_ cell: RecurrentCellKind, input: [Int], h0: [Int], c0: [Int]?, weightIH: [Int], weightHH: [Int],
                                 biasIH: [Int]?, biasHH: [Int]?) -> String? {
        let op = "recurrentLayer(\(cell))"
        let shapes = "input \(format(input)), h0 \(format(h0)), weightIH \(format(weightIH)), weightHH \(format(weightHH))"
        guard input.count == 3 && h0.count == 2 && weightIH.count == 2 && weightHH.count == 2 else {
            return "\(op): \(shapes): need a [T, B, I] input, a [B, H] state and 2-D weights"
        }
        let (steps, batch, features, hidden) = (input[0], input[1], input[2], h0[1])
        let width = cell.gates * hidden
        guard h0[0] == batch && weightIH == [width, features] && weightHH == [width, hidden] else {
            return "\(op): \(shapes): expected h0 [\(batch), H], weightIH [\(cell.gates)·H, \(features)] and weightHH [\(cell.gates)·H, H]"
        }
        guard steps > 0 && batch > 0 && hidden > 0 else { return "\(op): \(shapes): the sequence, batch and state must not be empty" }
        for (name, bias) in [("biasIH", biasIH), ("biasHH", biasHH)] {
            if let bias, bias != [width] { return "\(op): \(name) \(format(bias)) must be [\(width)]" }
        }
        if cell.hasCellState != (c0 != nil) { return "\(op): \(cell.hasCellState ? "needs" : "takes no") initial cell state c0" }
        if let c0, c0 != h0 { return "\(op): c0 \(format(c0)) must match h0 \(format(h0))" }
        return nil
    }
}
