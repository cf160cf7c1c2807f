import Ember
import EmberNN

/// The shape of a BERT-style encoder.
public struct BERTConfig: ModelConfig {
    public static let kind = ModelKind.bert
    /// Tokens, including the mask token.
    public var vocabSize: Int
    /// The longest input, in tokens.
    public var maxPositions: Int
    /// Encoder layers, heads per layer and model width.
    public var layers: Int, heads: Int, embed: Int
    /// Dropout after the embeddings, on attention weights and in each layer.
    public var dropout: Double

    /// A configuration; the feed-forward width is 4 × `embed`, as BERT's.
    public init(vocabSize: Int, maxPositions: Int, layers: Int, heads: Int, embed: Int, dropout: Double = 0.1) {
        self.vocabSize = vocabSize
        self.maxPositions = maxPositions
        self.layers = layers
        self.heads = heads
        self.embed = embed
        self.dropout = dropout
    }

    public func validate() throws {
        try Check.positive(vocabSize, "vocab_size")
        try Check.positive(maxPositions, "max_positions")
        try Check.positive(layers, "layers")
        try Check.positive(embed, "embed")
        try Check.heads(embed, "embed", heads, "heads")
        try Check.probability(dropout, "dropout")
    }

    public func describeState(_ layout: inout StateLayout) throws {
        try layout.embedding("token_embedding", vocabSize, embed)
        try layout.embedding("position_embedding", maxPositions, embed)
        try layout.layerNorm("embedding_norm", embed)
        let packed = try layout.scaled(embed, by: 3), wide = try layout.scaled(embed, by: 4)
        for i in 0..<layers {
            let layer = "encoder.layers.\(i)"
            try layout.add(layer + ".self_attn.in_proj_weight", [packed, embed])
            try layout.add(layer + ".self_attn.in_proj_bias", [packed])
            try layout.linear(layer + ".self_attn.out_proj", embed, embed)
            try layout.linear(layer + ".linear1", embed, wide)
            try layout.linear(layer + ".linear2", wide, embed)
            try layout.layerNorm(layer + ".norm1", embed)
            try layout.layerNorm(layer + ".norm2", embed)
        }
        try layout.add("head.bias", [vocabSize])
        try layout.linear("head.transform", embed, embed)
        try layout.layerNorm("head.norm", embed)
    }

    public func build() -> BERT { BERT(self) }

    public var erased: AnyModelConfig { .bert(self) }
}

/// A bidirectional transformer encoder with a masked-language-model head (BERT's
/// structure, built from Ember's PyTorch-named layers):
///
///     token_embedding + position_embedding     [B, T] int64 → [B, T, E]
///     embedding_norm, dropout
///     encoder                                  post-norm TransformerEncoder, GELU, 4E feed-forward
///     head.transform → GELU → head.norm        [B, T, E]
///     · token_embedding.weightᵀ + head.bias    [B, T, V] logits of each position's token
///
/// Every position attends to every other (no causal mask), so the model predicts a
/// masked token from both sides. The output layer is tied to the token embedding, as
/// BERT's. Weights are initialised N(0, 0.02) as BERT's, biases and norms as usual.
public final class BERT: Module, Layer {
    /// Token vectors `[V, E]`, also the output layer.
    public let tokenEmbedding: Embedding
    /// Learned positions `[maxPositions, E]`.
    public let positionEmbedding: Embedding
    /// Normalises the summed embeddings.
    public let embeddingNorm: LayerNorm
    /// The encoder layers.
    public let encoder: TransformerEncoder
    /// The masked-language-model head before the output layer.
    public let head: MaskedLMHead
    /// The shape it was built with.
    public let config: BERTConfig

    /// A freshly initialised model.
    public init(_ config: BERTConfig) {
        precondition(config.vocabSize > 0 && config.maxPositions > 0 && config.layers > 0 && config.heads > 0
                     && config.embed % config.heads == 0,
                     "BERT: sizes must be positive and embed \(config.embed) a multiple of heads \(config.heads)")
        self.config = config
        tokenEmbedding = Embedding(numEmbeddings: config.vocabSize, embeddingDim: config.embed)
        positionEmbedding = Embedding(numEmbeddings: config.maxPositions, embeddingDim: config.embed)
        embeddingNorm = LayerNorm(normalizedShape: [config.embed], eps: 1e-12)
        encoder = TransformerEncoder(numLayers: config.layers) {
            TransformerEncoderLayer(dModel: config.embed, nhead: config.heads, dimFeedforward: 4 * config.embed,
                                    dropout: config.dropout, activation: .gelu, layerNormEps: 1e-12, batchFirst: true)
        }
        head = MaskedLMHead(embed: config.embed, vocabSize: config.vocabSize)
        super.init()
        for (name, p) in namedParameters() {
            if p.ndim == 2 {
                Init.normal(p, std: 0.02)
            } else if name.hasSuffix("bias") {
                Init.constant(p, 0)
            }
        }
    }

    /// Logits `[B, T, V]` of every position's token, for tokens `[B, T]` (T ≤ maxPositions).
    public func callAsFunction(_ tokens: Tensor) -> Tensor { callAsFunction(tokens, paddingMask: nil) }

    /// Logits for `tokens` `[B, T]`; `paddingMask` `[B, T]` is `true` at padding, which
    /// no position attends to.
    public func callAsFunction(_ tokens: Tensor, paddingMask: Tensor?) -> Tensor {
        precondition(tokens.ndim == 2 && tokens.dtype == .int64 && tokens.shape[1] <= config.maxPositions,
                     "BERT: tokens \(OpMessage.format(tokens.shape)) must be [B, T ≤ \(config.maxPositions)] int64")
        let positions = positionEmbedding.weight.narrow(dim: 0, start: 0, length: tokens.shape[1])
        let x = embeddingNorm(tokenEmbedding(tokens) + positions).dropout(p: config.dropout, training: training)
        let h = head(encoder(x, mask: nil, keyPaddingMask: paddingMask))
        return h.linear(weight: tokenEmbedding.weight, bias: head.bias)
    }
}

/// BERT's prediction head before the tied output layer: `norm(gelu(transform(x)))`,
/// and the output bias `[V]`.
public final class MaskedLMHead: Module {
    /// `E → E`.
    public let transform: Linear
    /// After the activation.
    public let norm: LayerNorm
    /// Added to the logits.
    public let bias: Parameter

    init(embed: Int, vocabSize: Int) {
        transform = Linear(inFeatures: embed, outFeatures: embed)
        norm = LayerNorm(normalizedShape: [embed], eps: 1e-12)
        bias = Parameter(Tensor.zeros([vocabSize]))
    }

    /// `[..., E] -> [..., E]`.
    func callAsFunction(_ x: Tensor) -> Tensor { norm(transform(x).gelu()) }
}

extension BERT {
    /// The `top` most likely tokens, with their probabilities, at each position of
    /// `tokens` (one sequence, T ≤ maxPositions) that holds `maskToken`, left to right.
    /// Every masked position is predicted at once from the unmasked context. Runs in
    /// eval mode without recording gradients.
    public func fill(_ tokens: [Int], maskToken: Int, top: Int = 1) -> [(position: Int, candidates: [(token: Int, probability: Double)])] {
        precondition(top > 0, "BERT.fill: top must be positive")
        eval()
        return withNoGrad {
            let probabilities = self(Tensor(tokens, shape: [1, tokens.count]))[0].softmax(dim: -1)
            return tokens.indices.filter { tokens[$0] == maskToken }.map { position in
                let row = probabilities[position].to(.float64).scalars(as: Double.self)
                // The mask token itself is never an answer.
                let ranked = row.indices.filter { $0 != maskToken }.sorted { row[$0] > row[$1] }.prefix(top)
                return (position, ranked.map { ($0, row[$0]) })
            }
        }
    }
}
