import Ember
import EmberNN

/// A character-level language model, as the peer benchmark's `CharRNN`:
///
///     embedding(V → E)      [B, T] int64 → [B, T, E]
///     RNN | LSTM | GRU      [B, T, E] → [B, T, H]   (layers L, dropout between them)
///     linear(H → V)         [B, T, H] → [B, T, V]   logits of the next character
///
/// Parameters carry the peer's names (`emb.weight`, `rnn.weight_ih_l0`, `head.weight`),
/// so its PyTorch weights load by name. Inside, the recurrent layers run time-major
/// (`[T, B, …]`, the layout their fused op works in), so only the tokens and the
/// logits are transposed, not the wider hidden states.
public final class CharRNN: Module, Layer {
    /// Character vectors, `[V, E]`.
    public let emb: Embedding
    /// The recurrent layers, time first.
    public let rnn: RecurrentNetwork
    /// Hidden state to next-character logits.
    public let head: Linear

    /// A model over `vocabularySize` characters with the given recurrent cell.
    public init(cell: RecurrentCellKind, vocabularySize: Int, embed: Int, hidden: Int, layers: Int = 1, dropout: Double = 0) {
        emb = Embedding(numEmbeddings: vocabularySize, embeddingDim: embed)
        switch cell {
        case .lstm: rnn = LSTM(inputSize: embed, hiddenSize: hidden, numLayers: layers, dropout: dropout)
        case .gru: rnn = GRU(inputSize: embed, hiddenSize: hidden, numLayers: layers, dropout: dropout)
        case .rnnTanh, .rnnReLU:
            rnn = RNN(inputSize: embed, hiddenSize: hidden, numLayers: layers, nonlinearity: cell == .rnnTanh ? .tanh : .relu,
                      dropout: dropout)
        }
        head = Linear(inFeatures: hidden, outFeatures: vocabularySize)
    }

    /// Logits `[B, T, V]` for tokens `[B, T]`, from a zero state.
    public func callAsFunction(_ tokens: Tensor) -> Tensor { callAsFunction(tokens, state: nil).logits }

    /// Logits `[B, T, V]` for tokens `[B, T]` from `state` (zeros if nil), and the state
    /// after the last token: feed it back to continue the text.
    public func callAsFunction(_ tokens: Tensor, state: RecurrentState?) -> (logits: Tensor, state: RecurrentState) {
        precondition(tokens.ndim == 2 && tokens.dtype == .int64, "CharRNN: tokens \(ShapeMessage.format(tokens.shape)) must be [B, T] int64")
        let (output, next) = rnn.forward(emb(tokens.transpose(0, 1)), state: state)
        return (head(output).transpose(0, 1), next)
    }
}

extension CharRNN {
    /// Continues `prompt` (token indices, at least one) by `count` tokens drawn with
    /// `sampler`, calling `emit` with each as soon as it exists; returns them all. The
    /// prompt is read in one pass, then each new token is one step from the carried
    /// state. Runs in eval mode without recording gradients.
    @discardableResult
    public func generate(prompt: [Int], count: Int, sampler: TokenSampler = TokenSampler(),
                         generator: Generator = .default, emit: (Int) -> Void = { _ in }) -> [Int] {
        precondition(!prompt.isEmpty, "CharRNN.generate: the prompt must hold at least one token")
        eval()
        return withNoGrad {
            var (logits, state) = self(Tensor(prompt, shape: [1, prompt.count]), state: nil)
            var tokens: [Int] = []
            for i in 0..<count {
                let next = sampler.sample(logits[0][logits.shape[1] - 1], generator: generator)
                tokens.append(next)
                emit(next)
                if i + 1 < count { (logits, state) = self(Tensor([next], shape: [1, 1]), state: state) }
            }
            return tokens
        }
    }
}
