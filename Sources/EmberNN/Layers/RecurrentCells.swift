import Ember

/// What `RNNCell`, `LSTMCell` and `GRUCell` share: one step of a recurrent layer, for
/// writing the loop over time yourself. Input `[B, I]` (or unbatched `[I]`), states
/// `[B, H]` (or `[H]`); parameters `weight_ih`, `weight_hh`, `bias_ih`, `bias_hh` as
/// PyTorch names them.
public class RecurrentCellModule: Module {
    /// The cell's equations.
    public let cell: RecurrentCellKind
    /// Features of the input, and of the hidden state.
    public let inputSize: Int, hiddenSize: Int
    let weights: RecurrentWeights

    init(_ cell: RecurrentCellKind, inputSize: Int, hiddenSize: Int, bias: Bool, dtype: DType) {
        precondition(inputSize > 0 && hiddenSize > 0, "\(cell) cell: sizes must be positive, got input \(inputSize), hidden \(hiddenSize)")
        self.cell = cell
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        weights = RecurrentWeights(cell, input: inputSize, hidden: hiddenSize, bias: bias, dtype: dtype)
    }

    override public func localParameters() -> [(name: String, parameter: Parameter)] { weights.named("") }

    /// One step from `h` (and `c`), zeros if nil.
    func step(_ x: Tensor, h: Tensor?, c: Tensor?) -> (h: Tensor, c: Tensor?) {
        precondition((x.ndim == 1 || x.ndim == 2) && x.shape[x.ndim - 1] == inputSize,
                     "\(cell) cell: input \(OpMessage.format(x.shape)) must be [B, \(inputSize)] or [\(inputSize)]")
        let batched = x.ndim == 2, input = batched ? x : x.unsqueeze(0)
        let expected = batched ? [x.shape[0], hiddenSize] : [hiddenSize]
        func state(_ s: Tensor?, _ label: String) -> Tensor {
            guard let s else { return Tensor.zeros([input.shape[0], hiddenSize], dtype: x.dtype) }
            precondition(s.shape == expected, "\(cell) cell: \(label) \(OpMessage.format(s.shape)) must be \(OpMessage.format(expected))")
            return batched ? s : s.unsqueeze(0)
        }
        let states = weights.run(cell, input.unsqueeze(0), h0: state(h, "h"), c0: cell.hasCellState ? state(c, "c") : nil, reverse: false)
        let hNew = states[0][0], cNew = cell.hasCellState ? states[1][0] : nil
        return batched ? (hNew, cNew) : (hNew.squeeze(0), cNew?.squeeze(0))
    }
}

/// One step of an Elman RNN (PyTorch's `nn.RNNCell`): `[B, I]`, `[B, H]` → `[B, H]`.
public final class RNNCell: RecurrentCellModule {
    /// A cell with a tanh (default) or ReLU nonlinearity.
    public init(inputSize: Int, hiddenSize: Int, bias: Bool = true, nonlinearity: RNNNonlinearity = .tanh, dtype: DType = .float32) {
        super.init(nonlinearity == .tanh ? .rnnTanh : .rnnReLU, inputSize: inputSize, hiddenSize: hiddenSize, bias: bias, dtype: dtype)
    }

    /// The next hidden state.
    public func callAsFunction(_ x: Tensor, _ h: Tensor? = nil) -> Tensor { step(x, h: h, c: nil).h }
}

/// One LSTM step (PyTorch's `nn.LSTMCell`): `[B, I]`, `([B, H], [B, H])` → `([B, H], [B, H])`.
public final class LSTMCell: RecurrentCellModule {
    /// A cell with gates i, f, g, o.
    public init(inputSize: Int, hiddenSize: Int, bias: Bool = true, dtype: DType = .float32) {
        super.init(.lstm, inputSize: inputSize, hiddenSize: hiddenSize, bias: bias, dtype: dtype)
    }

    /// The next `(h, c)`.
    public func callAsFunction(_ x: Tensor, _ state: (h: Tensor, c: Tensor)? = nil) -> (h: Tensor, c: Tensor) {
        let next = step(x, h: state?.h, c: state?.c)
        return (next.h, next.c!)
    }
}

/// One GRU step (PyTorch's `nn.GRUCell`): `[B, I]`, `[B, H]` → `[B, H]`.
public final class GRUCell: RecurrentCellModule {
    /// A cell with gates r, z, n.
    public init(inputSize: Int, hiddenSize: Int, bias: Bool = true, dtype: DType = .float32) {
        super.init(.gru, inputSize: inputSize, hiddenSize: hiddenSize, bias: bias, dtype: dtype)
    }

    /// The next hidden state.
    public func callAsFunction(_ x: Tensor, _ h: Tensor? = nil) -> Tensor { step(x, h: h, c: nil).h }
}
