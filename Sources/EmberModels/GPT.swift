import Ember
import EmberNN

/// The shape of a GPT (nanoGPT's `GPTConfig`, whose field names it shares: files store
/// `vocab_size`, `block_size`, `n_layer`, `n_head`, `n_embd`, `dropout`, `bias`).
public struct GPTConfig: ModelConfig {
    public static let kind = ModelKind.gpt
    /// Tokens the model knows.
    public var vocabSize: Int
    /// The longest context, in tokens (positions `0..<blockSize`).
    public var blockSize: Int
    /// Transformer blocks, heads per block and model width.
    public var nLayer: Int, nHead: Int, nEmbd: Int
    /// Dropout after the embeddings, on attention weights and on each block's output.
    public var dropout: Double
    /// Whether the linear layers and layer norms have biases (nanoGPT's `bias`).
    public var bias: Bool
    /// Whether the output layer shares the token embedding's weight (nanoGPT does).
    public var tiedWeights: Bool

    /// A configuration; nanoGPT's GPT-2 defaults except for the sizes given.
    public init(vocabSize: Int, blockSize: Int = 1024, nLayer: Int = 12, nHead: Int = 12, nEmbd: Int = 768,
                dropout: Double = 0, bias: Bool = true, tiedWeights: Bool = true) {
        self.vocabSize = vocabSize
        self.blockSize = blockSize
        self.nLayer = nLayer
        self.nHead = nHead
        self.nEmbd = nEmbd
        self.dropout = dropout
        self.bias = bias
        self.tiedWeights = tiedWeights
    }

    public func validate() throws {
        try Check.positive(vocabSize, "vocab_size")
        try Check.positive(blockSize, "block_size")
        try Check.positive(nLayer, "n_layer")
        try Check.positive(nEmbd, "n_embd")
        try Check.heads(nEmbd, "n_embd", nHead, "n_head")
        try Check.probability(dropout, "dropout")
    }

    public func describeState(_ layout: inout StateLayout) throws {
        try layout.embedding("transformer.wte", vocabSize, nEmbd)
        try layout.embedding("transformer.wpe", blockSize, nEmbd)
        let packed = try layout.scaled(nEmbd, by: 3), wide = try layout.scaled(nEmbd, by: 4)
        for i in 0..<nLayer {
            let block = "transformer.h.\(i)"
            try layout.layerNorm(block + ".ln_1", nEmbd, bias: bias)
            try layout.linear(block + ".attn.c_attn", nEmbd, packed, bias: bias)
            try layout.linear(block + ".attn.c_proj", nEmbd, nEmbd, bias: bias)
            try layout.layerNorm(block + ".ln_2", nEmbd, bias: bias)
            try layout.linear(block + ".mlp.c_fc", nEmbd, wide, bias: bias)
            try layout.linear(block + ".mlp.c_proj", wide, nEmbd, bias: bias)
        }
        try layout.layerNorm("transformer.ln_f", nEmbd, bias: bias)
        try layout.add("lm_head.weight", [vocabSize, nEmbd], alias: tiedWeights)
    }

    public func build() -> GPT { GPT(self) }

    public var erased: AnyModelConfig { .gpt(self) }
}

/// A decoder-only transformer language model with nanoGPT's structure and parameter
/// names, so a nanoGPT state dict (converted to safetensors) loads as it is:
///
///     transformer.wte         token embedding      [B, T] int64 → [B, T, E]
///     transformer.wpe         learned positions    + [T, E]
///     transformer.h.N         pre-norm blocks: ln_1, attn (c_attn, c_proj), ln_2, mlp (c_fc, GELU, c_proj)
///     transformer.ln_f        final layer norm
///     lm_head                 E → V logits, no bias (tied to wte by default)
///
/// Initialisation is nanoGPT's: N(0, 0.02) for weights and embeddings, zero biases,
/// and N(0, 0.02/√(2·nLayer)) for the residual projections (`c_proj`).
public final class GPT: Module, Layer {
    /// Embeddings, blocks and the final norm.
    public let transformer: GPTBackbone
    /// The output layer, `[V, E]`.
    public let lmHead: Linear
    /// The shape it was built with.
    public let config: GPTConfig

    /// A freshly initialised model.
    public init(_ config: GPTConfig) {
        precondition(config.vocabSize > 0 && config.blockSize > 0 && config.nLayer > 0 && config.nHead > 0
                     && config.nEmbd % config.nHead == 0,
                     "GPT: sizes must be positive and nEmbd \(config.nEmbd) a multiple of nHead \(config.nHead)")
        self.config = config
        transformer = GPTBackbone(config)
        lmHead = config.tiedWeights ? Linear(weight: transformer.wte.weight)
            : Linear(inFeatures: config.nEmbd, outFeatures: config.vocabSize, bias: false)
        super.init()
        let generator = Generator.default
        for (name, p) in namedParameters() {
            if name.hasSuffix(".bias") {
                Init.constant(p, 0)
            } else if p.ndim == 2 {
                let std = name.hasSuffix("c_proj.weight") ? 0.02 / Double(2 * config.nLayer).squareRoot() : 0.02
                Init.normal(p, std: std, generator: generator)
            }
        }
    }

    /// Logits `[B, T, V]` for tokens `[B, T]` (T ≤ blockSize).
    public func callAsFunction(_ tokens: Tensor) -> Tensor { callAsFunction(tokens, cache: nil) }

    /// Logits for `tokens` `[B, T]`. With a `cache`, the tokens continue the ones it
    /// holds (positions start at `cache.length`) and their keys and values are added to
    /// it; a cache that holds tokens takes one new token at a time. With `lastOnly`, only
    /// the last position's logits are computed: `[B, 1, V]`.
    public func callAsFunction(_ tokens: Tensor, cache: KVCache?, lastOnly: Bool = false) -> Tensor {
        precondition(tokens.ndim == 2 && tokens.dtype == .int64, "GPT: tokens \(OpMessage.format(tokens.shape)) must be [B, T] int64")
        let start = cache?.length ?? 0, t = tokens.shape[1]
        precondition(start + t <= config.blockSize,
                     "GPT: \(start) cached + \(t) new tokens exceed the context of \(config.blockSize)")
        var x = transformer.wte(tokens) + transformer.wpe.weight.narrow(dim: 0, start: start, length: t)
        x = x.dropout(p: config.dropout, training: training)
        for (i, block) in transformer.h.enumerated() { x = block(x, cache: cache.map { ($0, i) }) }
        cache?.advance(by: t)
        if lastOnly { x = x.narrow(dim: 1, start: t - 1, length: 1) }
        return lmHead(transformer.lnF(x))
    }

    /// A tied output weight is one parameter under two names (`transformer.wte.weight`
    /// and `lm_head.weight`, both in nanoGPT's state dict and in `stateDict()`); it is
    /// read from the embedding's name, so a file that lists it once also loads.
    public override func loadStateDict(_ state: [String: Tensor], strict: Bool = true) throws {
        var state = state
        if config.tiedWeights { state["lm_head.weight"] = state["transformer.wte.weight"] }
        try super.loadStateDict(state, strict: strict)
    }
}

/// GPT's body, named `transformer` as in nanoGPT: `wte`, `wpe`, `h.0…`, `ln_f`.
public final class GPTBackbone: Module {
    /// Token embedding `[V, E]`.
    public let wte: Embedding
    /// Position embedding `[blockSize, E]`.
    public let wpe: Embedding
    /// The blocks.
    public let h: [GPTBlock]
    /// The final layer norm.
    public let lnF: LayerNorm

    init(_ config: GPTConfig) {
        wte = Embedding(numEmbeddings: config.vocabSize, embeddingDim: config.nEmbd)
        wpe = Embedding(numEmbeddings: config.blockSize, embeddingDim: config.nEmbd)
        h = (0..<config.nLayer).map { _ in GPTBlock(config) }
        lnF = LayerNorm(normalizedShape: [config.nEmbd], bias: config.bias)
    }
}

/// One pre-norm block: `x + attn(ln_1(x))`, then `x + mlp(ln_2(x))`.
public final class GPTBlock: Module {
    /// Before attention.
    public let ln1: LayerNorm
    /// Causal self-attention.
    public let attn: GPTAttention
    /// Before the MLP.
    public let ln2: LayerNorm
    /// `E → 4E → E` with GELU.
    public let mlp: GPTMLP

    init(_ config: GPTConfig) {
        ln1 = LayerNorm(normalizedShape: [config.nEmbd], bias: config.bias)
        ln2 = LayerNorm(normalizedShape: [config.nEmbd], bias: config.bias)
        attn = GPTAttention(config)
        mlp = GPTMLP(config)
    }

    /// nanoGPT spells the norms `ln_1` and `ln_2`.
    public override func namedChildren() -> [(name: String, module: Module)] {
        [("ln_1", ln1), ("attn", attn), ("ln_2", ln2), ("mlp", mlp)]
    }

    func callAsFunction(_ x: Tensor, cache: (KVCache, layer: Int)?) -> Tensor {
        let y = x + attn(ln1(x), cache: cache)
        return y + mlp(ln2(y))
    }
}

/// Causal multi-head self-attention with a packed projection `c_attn` (`E → 3E`: q, k,
/// v) and an output projection `c_proj`, as nanoGPT's `CausalSelfAttention`.
public final class GPTAttention: Module {
    /// `E → 3E`.
    public let cAttn: Linear
    /// `E → E`.
    public let cProj: Linear
    /// Heads.
    public let nHead: Int
    /// Dropout on attention weights and on the output.
    public let dropout: Double

    init(_ config: GPTConfig) {
        cAttn = Linear(inFeatures: config.nEmbd, outFeatures: 3 * config.nEmbd, bias: config.bias)
        cProj = Linear(inFeatures: config.nEmbd, outFeatures: config.nEmbd, bias: config.bias)
        nHead = config.nHead
        dropout = config.dropout
    }

    /// `[B, T, E] -> [B, T, E]`; with a cache, keys and values are appended to layer
    /// `layer`'s and the queries attend to all of them.
    func callAsFunction(_ x: Tensor, cache: (KVCache, layer: Int)?) -> Tensor {
        let b = x.shape[0], t = x.shape[1], e = x.shape[2], d = e / nHead, p = training ? dropout : 0
        let y: Tensor
        if let (cache, layer) = cache {
            let qkv = cAttn(x).split(e, dim: 2).map { $0.view([b, t, nHead, d]) }
            let (keys, values) = cache.append(layer: layer, keys: qkv[1], values: qkv[2])
            y = qkv[0].transpose(1, 2).scaledDotProductAttention(key: keys.transpose(1, 2), value: values.transpose(1, 2),
                                                                 isCausal: t > 1)
        } else {
            y = cAttn(x).packedSelfAttention(heads: nHead, isCausal: true, dropout: p)
        }
        return cProj(y.transpose(1, 2).reshape([b, t, e])).dropout(p: p, training: training)
    }
}

/// The feed-forward part of a block: `c_proj(gelu(c_fc(x)))`, `E → 4E → E`.
public final class GPTMLP: Module {
    /// `E → 4E`.
    public let cFc: Linear
    /// `4E → E`.
    public let cProj: Linear
    /// Dropout on the output.
    public let dropout: Double

    init(_ config: GPTConfig) {
        cFc = Linear(inFeatures: config.nEmbd, outFeatures: 4 * config.nEmbd, bias: config.bias)
        cProj = Linear(inFeatures: 4 * config.nEmbd, outFeatures: config.nEmbd, bias: config.bias)
        dropout = config.dropout
    }

    func callAsFunction(_ x: Tensor) -> Tensor {
        cProj(cFc(x).gelu()).dropout(p: dropout, training: training)
    }
}

extension GPT {
    /// Continues `prompt` (token indices, at least one) by `count` tokens drawn with
    /// `sampler`, calling `emit` with each as soon as it exists; returns them all. Runs in
    /// eval mode without recording gradients.
    ///
    /// With `useCache` (the default) the prompt is read once and each new token is one
    /// position's work against the `KVCache`; when the context is full, the cache keeps
    /// the last half of the tokens and reads them again. Without it, every token is a
    /// full pass over the last `blockSize` tokens (plain nanoGPT). Both give the same
    /// tokens while the text fits the context; beyond it, the cached path sees between
    /// half and all of the context where the uncached one always sees all of it.
    @discardableResult
    public func generate(prompt: [Int], count: Int, sampler: TokenSampler = TokenSampler(), generator: Generator = .default,
                         useCache: Bool = true, emit: (Int) -> Void = { _ in }) -> [Int] {
        precondition(!prompt.isEmpty, "GPT.generate: the prompt must hold at least one token")
        eval()
        return withNoGrad {
            var text = prompt, generated: [Int] = []
            let cache = useCache ? KVCache(for: self) : nil
            /// The last `keep` tokens of the text as a `[1, T]` batch.
            func window(_ keep: Int) -> Tensor {
                let tokens = Array(text.suffix(keep))
                return Tensor(tokens, shape: [1, tokens.count])
            }
            var logits = cache.map { self(window(config.blockSize), cache: $0, lastOnly: true) }
            for i in 0..<count {
                let current = logits ?? self(window(config.blockSize), cache: nil, lastOnly: true)
                let next = sampler.sample(current[0][0], generator: generator)
                text.append(next)
                generated.append(next)
                emit(next)
                guard let cache, i + 1 < count else { continue }
                if cache.length == cache.capacity {
                    cache.reset()
                    logits = self(window(Swift.max(1, cache.capacity / 2)), cache: cache, lastOnly: true)
                } else {
                    logits = self(Tensor([next], shape: [1, 1]), cache: cache, lastOnly: true)
                }
            }
            return generated
        }
    }
}
