import Ember

/// What `RNN`, `LSTM` and `GRU` share (PyTorch's `nn.RNNBase`): stacked layers, each
/// optionally bidirectional, over a whole sequence.
///
/// Shapes, with L layers, D = 2 if bidirectional else 1:
/// - input `[T, B, I]`, or `[B, T, I]` with `batchFirst`, or unbatched `[T, I]`;
/// - output `[T, B, D·H]` (`[B, T, D·H]` with `batchFirst`, `[T, D·H]` unbatched): the
///   last layer's `h` at every step, both directions side by side;
/// - states `[L·D, B, H]` (`[L·D, H]` unbatched), ordered layer by layer, forward
///   direction first.
///
/// Parameters carry PyTorch's names (`weight_ih_l0`, `bias_hh_l1_reverse`, …), so a
/// PyTorch state dict loads as is. Each layer and direction runs as one fused op
/// (`Tensor.recurrentLayer`).
public class RecurrentNetwork: Module {
    /// The cell every layer runs.
    public let cell: RecurrentCellKind
    /// Features of each input step, and of the hidden state.
    public let inputSize: Int, hiddenSize: Int
    /// Stacked layers.
    public let numLayers: Int
    /// Whether input and output put the batch before time.
    public let batchFirst: Bool
    /// Dropout on the outputs of every layer but the last, in training.
    public let dropout: Double
    /// Whether each layer also reads the sequence backwards.
    public let bidirectional: Bool
    /// Weights per layer and direction, `layer · D + direction`.
    let layers: [RecurrentWeights]

    init(_ cell: RecurrentCellKind, inputSize: Int, hiddenSize: Int, numLayers: Int, bias: Bool, batchFirst: Bool,
         dropout: Double, bidirectional: Bool, dtype: DType) {
        precondition(inputSize > 0 && hiddenSize > 0 && numLayers > 0,
                     "\(cell): sizes must be positive, got input \(inputSize), hidden \(hiddenSize), \(numLayers) layers")
        precondition(dropout >= 0 && dropout <= 1, "\(cell): dropout must be in [0, 1], got \(dropout)")
        self.cell = cell
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.numLayers = numLayers
        self.batchFirst = batchFirst
        self.dropout = dropout
        self.bidirectional = bidirectional
        let directions = bidirectional ? 2 : 1
        layers = (0..<numLayers * directions).map { i in
            RecurrentWeights(cell, input: i < directions ? inputSize : directions * hiddenSize, hidden: hiddenSize,
                             bias: bias, dtype: dtype)
        }
    }

    /// Directions per layer: 2 if bidirectional, else 1.
    public var directions: Int { bidirectional ? 2 : 1 }

    override public func localParameters() -> [(name: String, parameter: Parameter)] {
        layers.enumerated().flatMap { i, weights in
            weights.named("_l\(i / directions)" + (i % directions == 1 ? "_reverse" : ""))
        }
    }

    /// Runs every layer over `x` from `state` (zeros if nil; `c` only for LSTM) and
    /// returns the output and the final state, shaped as described above: the one entry
    /// point for code that works with any of RNN, LSTM and GRU.
    public func forward(_ x: Tensor, state: RecurrentState? = nil) -> (output: Tensor, state: RecurrentState) {
        let result = run(x, h0: state?.h, c0: state?.c)
        return (result.output, RecurrentState(h: result.h, c: result.c))
    }

    /// Runs every layer over `x` from the given states (zeros if nil); returns the
    /// output and the final states (`c` only for LSTM), shaped as described above.
    func run(_ x: Tensor, h0: Tensor?, c0: Tensor?) -> (output: Tensor, h: Tensor, c: Tensor?) {
        let name = "\(cell)"
        precondition(x.ndim == 2 || x.ndim == 3, "\(name): input \(OpMessage.format(x.shape)) must be [T, B, I], [B, T, I] or [T, I]")
        precondition(x.shape[x.ndim - 1] == inputSize,
                     "\(name): input \(OpMessage.format(x.shape)) must end in inputSize \(inputSize)")
        let batched = x.ndim == 3
        var input = !batched ? x.unsqueeze(1) : batchFirst ? x.transpose(0, 1) : x
        let steps = input.shape[0], batch = input.shape[1], count = numLayers * directions
        func initial(_ state: Tensor?, _ label: String) -> Tensor {
            guard let state else { return Tensor.zeros([count, batch, hiddenSize], dtype: x.dtype) }
            let expected = batched ? [count, batch, hiddenSize] : [count, hiddenSize]
            precondition(state.shape == expected,
                         "\(name): \(label) \(OpMessage.format(state.shape)) must be \(OpMessage.format(expected)) for input \(OpMessage.format(x.shape))")
            return batched ? state : state.unsqueeze(1)
        }
        let h0 = initial(h0, "h0"), c0 = cell.hasCellState ? initial(c0, "c0") : nil
        var finalH: [Tensor] = [], finalC: [Tensor] = []
        for layer in 0..<numLayers {
            var outputs: [Tensor] = []
            for direction in 0..<directions {
                let i = layer * directions + direction
                let states = layers[i].run(cell, input, h0: h0[i], c0: c0?[i], reverse: direction == 1)
                outputs.append(states[0])
                let last = direction == 1 ? 0 : steps - 1
                finalH.append(states[0][last])
                if cell.hasCellState { finalC.append(states[1][last]) }
            }
            input = directions == 1 ? outputs[0] : Tensor.cat(outputs, dim: 2)
            if layer < numLayers - 1 && dropout > 0 && training { input = input.dropout(p: dropout) }
        }
        var h = Tensor.stack(finalH), c = cell.hasCellState ? Tensor.stack(finalC) : nil
        if !batched {
            h = h.squeeze(1)
            c = c?.squeeze(1)
            return (input.squeeze(1), h, c)
        }
        return (batchFirst ? input.transpose(0, 1) : input, h, c)
    }
}

/// The state a recurrent network carries between calls: `h` `[L·D, B, H]` and, for
/// LSTM, the cell state `c` of the same shape.
public struct RecurrentState {
    /// Hidden state.
    public var h: Tensor
    /// Cell state (LSTM only).
    public var c: Tensor?

    /// A state of `h` (and `c`).
    public init(h: Tensor, c: Tensor? = nil) {
        self.h = h
        self.c = c
    }

    /// The same state cut from the graph (truncated backpropagation through time).
    public func detached() -> RecurrentState { RecurrentState(h: h.detach(), c: c?.detach()) }
}

/// The nonlinearity of an Elman `RNN`.
public enum RNNNonlinearity: String, Sendable {
    case tanh, relu
}

/// Elman recurrent network (PyTorch's `nn.RNN`): `h = tanh(x Wᵢₕᵀ + bᵢₕ + h₋₁ Wₕₕᵀ + bₕₕ)`
/// (or ReLU). Shapes as in `RecurrentNetwork`.
public final class RNN: RecurrentNetwork {
    /// A stack of `numLayers` RNN layers.
    public init(inputSize: Int, hiddenSize: Int, numLayers: Int = 1, nonlinearity: RNNNonlinearity = .tanh, bias: Bool = true,
                batchFirst: Bool = false, dropout: Double = 0, bidirectional: Bool = false, dtype: DType = .float32) {
        super.init(nonlinearity == .tanh ? .rnnTanh : .rnnReLU, inputSize: inputSize, hiddenSize: hiddenSize, numLayers: numLayers,
                   bias: bias, batchFirst: batchFirst, dropout: dropout, bidirectional: bidirectional, dtype: dtype)
    }

    /// The output at every step and the final hidden state (`h0`: zeros if nil).
    public func callAsFunction(_ x: Tensor, _ h0: Tensor? = nil) -> (output: Tensor, h: Tensor) {
        let result = run(x, h0: h0, c0: nil)
        return (result.output, result.h)
    }
}

/// Long short-term memory (PyTorch's `nn.LSTM`), gates i, f, g, o. Shapes as in
/// `RecurrentNetwork`; the state is the pair `(h, c)`.
public final class LSTM: RecurrentNetwork {
    /// A stack of `numLayers` LSTM layers.
    public init(inputSize: Int, hiddenSize: Int, numLayers: Int = 1, bias: Bool = true, batchFirst: Bool = false,
                dropout: Double = 0, bidirectional: Bool = false, dtype: DType = .float32) {
        super.init(.lstm, inputSize: inputSize, hiddenSize: hiddenSize, numLayers: numLayers, bias: bias,
                   batchFirst: batchFirst, dropout: dropout, bidirectional: bidirectional, dtype: dtype)
    }

    /// The output at every step and the final `(h, c)` (`state`: zeros if nil).
    public func callAsFunction(_ x: Tensor, _ state: (h: Tensor, c: Tensor)? = nil) -> (output: Tensor, state: (h: Tensor, c: Tensor)) {
        let result = run(x, h0: state?.h, c0: state?.c)
        return (result.output, (result.h, result.c!))
    }
}

/// Gated recurrent unit (PyTorch's `nn.GRU`), gates r, z, n. Shapes as in
/// `RecurrentNetwork`.
public final class GRU: RecurrentNetwork {
    /// A stack of `numLayers` GRU layers.
    public init(inputSize: Int, hiddenSize: Int, numLayers: Int = 1, bias: Bool = true, batchFirst: Bool = false,
                dropout: Double = 0, bidirectional: Bool = false, dtype: DType = .float32) {
        super.init(.gru, inputSize: inputSize, hiddenSize: hiddenSize, numLayers: numLayers, bias: bias,
                   batchFirst: batchFirst, dropout: dropout, bidirectional: bidirectional, dtype: dtype)
    }

    /// The output at every step and the final hidden state (`h0`: zeros if nil).
    public func callAsFunction(_ x: Tensor, _ h0: Tensor? = nil) -> (output: Tensor, h: Tensor) {
        let result = run(x, h0: h0, c0: nil)
        return (result.output, result.h)
    }
}
