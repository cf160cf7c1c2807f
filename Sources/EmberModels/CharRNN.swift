import Ember
import EmberNN

/// The recurrent cells a model can use, by the names files and flags give them.
public enum RecurrentArch: String, ConfigChoice {
    case rnn, lstm, gru

    /// The cell (`rnn` is the tanh Elman network).
    public var cell: RecurrentCellKind {
        switch self {
        case .rnn: .rnnTanh
        case .lstm: .lstm
        case .gru: .gru
        }
    }
}

/// A character language model's shape: one LSTM layer of 256 over embeddings of 64 by
/// default (the peer benchmark's recipe).
public struct CharRNNConfig: ModelConfig {
    public static let kind = ModelKind.charlm
    /// The recurrent cell.
    public var arch: RecurrentArch
    /// Characters the model knows.
    public var vocabSize: Int
    /// Embedding width, hidden size and stacked layers.
    public var embed: Int, hidden: Int, layers: Int
    /// Dropout between recurrent layers.
    public var dropout: Double

    /// A configuration for `vocabSize` characters; the other defaults are the recipe's.
    public init(arch: RecurrentArch = .lstm, vocabSize: Int, embed: Int = 64, hidden: Int = 256, layers: Int = 1,
                dropout: Double = 0) {
        self.arch = arch
        self.vocabSize = vocabSize
        self.embed = embed
        self.hidden = hidden
        self.layers = layers
        self.dropout = dropout
    }

    public func validate() throws {
        try Check.positive(vocabSize, "vocab_size")
        try Check.positive(embed, "embed")
        try Check.positive(hidden, "hidden")
        try Check.positive(layers, "layers")
        try Check.probability(dropout, "dropout")
    }

    public func describeState(_ layout: inout StateLayout) throws {
        try layout.embedding("emb", vocabSize, embed)
        try layout.recurrent("rnn", arch, input: embed, hidden: hidden, layers: layers)
        try layout.linear("head", hidden, vocabSize)
    }

    public func build() -> CharRNN { CharRNN(self) }

    public var erased: AnyModelConfig { .charlm(self) }
}

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

    /// The model `config` describes.
    public init(_ config: CharRNNConfig) {
        let (embed, hidden, layers, dropout) = (config.embed, config.hidden, config.layers, config.dropout)
        emb = Embedding(numEmbeddings: config.vocabSize, embeddingDim: embed)
        switch config.arch {
        case .lstm: rnn = LSTM(inputSize: embed, hiddenSize: hidden, numLayers: layers, dropout: dropout)
        case .gru: rnn = GRU(inputSize: embed, hiddenSize: hidden, numLayers: layers, dropout: dropout)
        case .rnn: rnn = RNN(inputSize: embed, hiddenSize: hidden, numLayers: layers, nonlinearity: .tanh, dropout: dropout)
        }
        head = Linear(inFeatures: hidden, outFeatures: config.vocabSize)
    }

    /// Logits `[B, T, V]` for tokens `[B, T]`, from a zero state.
    public func callAsFunction(_ tokens: Tensor) -> Tensor { callAsFunction(tokens, state: nil).logits }

    /// Logits `[B, T, V]` for tokens `[B, T]` from `state` (zeros if nil), and the state
    /// after the last token: feed it back to continue the text.
    public func callAsFunction(_ tokens: Tensor, state: RecurrentState?) -> (logits: Tensor, state: RecurrentState) {
        precondition(tokens.ndim == 2 && tokens.dtype == .int64, "CharRNN: tokens \(OpMessage.format(tokens.shape)) must be [B, T] int64")
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
