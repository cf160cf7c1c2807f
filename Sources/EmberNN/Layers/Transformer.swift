import Ember

/// The feed-forward activation of a transformer layer.
public enum TransformerActivation: String, Sendable {
    case relu, gelu

    func callAsFunction(_ x: Tensor) -> Tensor { self == .relu ? x.relu() : x.gelu() }
}

/// One encoder layer (PyTorch's `nn.TransformerEncoderLayer`): self-attention, then a
/// feed-forward block `linear2(dropout(activation(linear1(x))))`, each with a residual
/// connection and layer normalisation, after the block (post-norm, PyTorch's default)
/// or before it (`normFirst`, as GPT-2). `[L, B, E]`, or `[B, L, E]` with `batchFirst`.
///
/// Names are PyTorch's: `self_attn`, `linear1`, `linear2`, `norm1`, `norm2`.
public final class TransformerEncoderLayer: Module, Layer {
    /// Self-attention.
    public let selfAttn: MultiheadAttention
    /// `E -> dimFeedforward`.
    public let linear1: Linear
    /// `dimFeedforward -> E`.
    public let linear2: Linear
    /// Around (or before) the attention block.
    public let norm1: LayerNorm
    /// Around (or before) the feed-forward block.
    public let norm2: LayerNorm
    /// Dropout inside the feed-forward block and on each block's output.
    public let dropout: Dropout
    /// The feed-forward activation.
    public let activation: TransformerActivation
    /// Whether normalisation comes before each block (pre-norm).
    public let normFirst: Bool

    /// A layer of width `dModel` with `nhead` heads, PyTorch's defaults otherwise.
    public init(dModel: Int, nhead: Int, dimFeedforward: Int = 2048, dropout: Double = 0.1,
                activation: TransformerActivation = .relu, layerNormEps: Double = 1e-5, batchFirst: Bool = false,
                normFirst: Bool = false, bias: Bool = true, dtype: DType = .float32) {
        selfAttn = MultiheadAttention(embedDim: dModel, numHeads: nhead, dropout: dropout, bias: bias,
                                      batchFirst: batchFirst, dtype: dtype)
        linear1 = Linear(inFeatures: dModel, outFeatures: dimFeedforward, bias: bias, dtype: dtype)
        linear2 = Linear(inFeatures: dimFeedforward, outFeatures: dModel, bias: bias, dtype: dtype)
        norm1 = LayerNorm(normalizedShape: [dModel], eps: layerNormEps, dtype: dtype)
        norm2 = LayerNorm(normalizedShape: [dModel], eps: layerNormEps, dtype: dtype)
        self.dropout = Dropout(p: dropout)
        self.activation = activation
        self.normFirst = normFirst
    }

    /// `[L, B, E] -> [L, B, E]` (batch first if so built) with no mask.
    public func callAsFunction(_ x: Tensor) -> Tensor { callAsFunction(x, mask: nil) }

    /// The layer over `src`; `mask` `[L, L]` and `keyPaddingMask` `[B, L]` as in
    /// `MultiheadAttention`, `isCausal` for a causal mask without a tensor.
    public func callAsFunction(_ src: Tensor, mask: Tensor?, keyPaddingMask: Tensor? = nil, isCausal: Bool = false) -> Tensor {
        func attention(_ x: Tensor) -> Tensor {
            dropout(selfAttn(x, attentionMask: mask, keyPaddingMask: keyPaddingMask, isCausal: isCausal))
        }
        func feedForward(_ x: Tensor) -> Tensor { dropout(linear2(dropout(activation(linear1(x))))) }
        if normFirst {
            let x = src + attention(norm1(src))
            return x + feedForward(norm2(x))
        }
        let x = norm1(src + attention(src))
        return norm2(x + feedForward(x))
    }
}

/// One decoder layer (PyTorch's `nn.TransformerDecoderLayer`): self-attention over the
/// target, attention over the encoder's output (`memory`), then the feed-forward block,
/// each with a residual connection and layer normalisation (post- or pre-norm).
///
/// Names are PyTorch's: `self_attn`, `multihead_attn`, `linear1`, `linear2`, `norm1`–`norm3`.
public final class TransformerDecoderLayer: Module {
    /// Self-attention over the target.
    public let selfAttn: MultiheadAttention
    /// Attention from the target to the memory.
    public let multiheadAttn: MultiheadAttention
    /// `E -> dimFeedforward`.
    public let linear1: Linear
    /// `dimFeedforward -> E`.
    public let linear2: Linear
    /// Around (or before) self-attention.
    public let norm1: LayerNorm
    /// Around (or before) attention to the memory.
    public let norm2: LayerNorm
    /// Around (or before) the feed-forward block.
    public let norm3: LayerNorm
    /// Dropout inside the feed-forward block and on each block's output.
    public let dropout: Dropout
    /// The feed-forward activation.
    public let activation: TransformerActivation
    /// Whether normalisation comes before each block (pre-norm).
    public let normFirst: Bool

    /// A layer of width `dModel` with `nhead` heads, PyTorch's defaults otherwise.
    public init(dModel: Int, nhead: Int, dimFeedforward: Int = 2048, dropout: Double = 0.1,
                activation: TransformerActivation = .relu, layerNormEps: Double = 1e-5, batchFirst: Bool = false,
                normFirst: Bool = false, bias: Bool = true, dtype: DType = .float32) {
        selfAttn = MultiheadAttention(embedDim: dModel, numHeads: nhead, dropout: dropout, bias: bias,
                                      batchFirst: batchFirst, dtype: dtype)
        multiheadAttn = MultiheadAttention(embedDim: dModel, numHeads: nhead, dropout: dropout, bias: bias,
                                           batchFirst: batchFirst, dtype: dtype)
        linear1 = Linear(inFeatures: dModel, outFeatures: dimFeedforward, bias: bias, dtype: dtype)
        linear2 = Linear(inFeatures: dimFeedforward, outFeatures: dModel, bias: bias, dtype: dtype)
        norm1 = LayerNorm(normalizedShape: [dModel], eps: layerNormEps, dtype: dtype)
        norm2 = LayerNorm(normalizedShape: [dModel], eps: layerNormEps, dtype: dtype)
        norm3 = LayerNorm(normalizedShape: [dModel], eps: layerNormEps, dtype: dtype)
        self.dropout = Dropout(p: dropout)
        self.activation = activation
        self.normFirst = normFirst
    }

    /// The layer over `tgt` (`[T, B, E]`) attending to `memory` (`[S, B, E]`); masks as
    /// in `MultiheadAttention`, `tgtIsCausal` for a causal target mask without a tensor.
    public func callAsFunction(_ tgt: Tensor, memory: Tensor, tgtMask: Tensor? = nil, memoryMask: Tensor? = nil,
                               tgtKeyPaddingMask: Tensor? = nil, memoryKeyPaddingMask: Tensor? = nil,
                               tgtIsCausal: Bool = false) -> Tensor {
        func selfBlock(_ x: Tensor) -> Tensor {
            dropout(selfAttn(x, attentionMask: tgtMask, keyPaddingMask: tgtKeyPaddingMask, isCausal: tgtIsCausal))
        }
        func memoryBlock(_ x: Tensor) -> Tensor {
            dropout(multiheadAttn(query: x, key: memory, value: memory, attentionMask: memoryMask,
                                  keyPaddingMask: memoryKeyPaddingMask))
        }
        func feedForward(_ x: Tensor) -> Tensor { dropout(linear2(dropout(activation(linear1(x))))) }
        if normFirst {
            var x = tgt + selfBlock(norm1(tgt))
            x = x + memoryBlock(norm2(x))
            return x + feedForward(norm3(x))
        }
        var x = norm1(tgt + selfBlock(tgt))
        x = norm2(x + memoryBlock(x))
        return norm3(x + feedForward(x))
    }
}

/// A stack of encoder layers and an optional final norm (PyTorch's
/// `nn.TransformerEncoder`; names `layers.0…`, `norm`).
public final class TransformerEncoder: Module, Layer {
    /// The layers, applied in order.
    public let layers: [TransformerEncoderLayer]
    /// Applied after the last layer (needed with pre-norm layers).
    public let norm: LayerNorm?

    /// `numLayers` layers, each made by `makeLayer` (PyTorch deep-copies one layer; each
    /// call here makes a fresh one).
    public init(numLayers: Int, norm: LayerNorm? = nil, _ makeLayer: () -> TransformerEncoderLayer) {
        precondition(numLayers > 0, "TransformerEncoder: numLayers must be positive, got \(numLayers)")
        layers = (0..<numLayers).map { _ in makeLayer() }
        self.norm = norm
    }

    /// `[L, B, E] -> [L, B, E]` with no mask.
    public func callAsFunction(_ x: Tensor) -> Tensor { callAsFunction(x, mask: nil) }

    /// Every layer over `src` with the same masks.
    public func callAsFunction(_ src: Tensor, mask: Tensor?, keyPaddingMask: Tensor? = nil, isCausal: Bool = false) -> Tensor {
        let x = layers.reduce(src) { x, layer in layer(x, mask: mask, keyPaddingMask: keyPaddingMask, isCausal: isCausal) }
        return norm.map { $0(x) } ?? x
    }
}

/// A stack of decoder layers and an optional final norm (PyTorch's
/// `nn.TransformerDecoder`; names `layers.0…`, `norm`).
public final class TransformerDecoder: Module {
    /// The layers, applied in order.
    public let layers: [TransformerDecoderLayer]
    /// Applied after the last layer.
    public let norm: LayerNorm?

    /// `numLayers` layers, each made by `makeLayer`.
    public init(numLayers: Int, norm: LayerNorm? = nil, _ makeLayer: () -> TransformerDecoderLayer) {
        precondition(numLayers > 0, "TransformerDecoder: numLayers must be positive, got \(numLayers)")
        layers = (0..<numLayers).map { _ in makeLayer() }
        self.norm = norm
    }

    /// Every layer over `tgt`, attending to `memory`, with the same masks.
    public func callAsFunction(_ tgt: Tensor, memory: Tensor, tgtMask: Tensor? = nil, memoryMask: Tensor? = nil,
                               tgtKeyPaddingMask: Tensor? = nil, memoryKeyPaddingMask: Tensor? = nil,
                               tgtIsCausal: Bool = false) -> Tensor {
        let x = layers.reduce(tgt) { x, layer in
            layer(x, memory: memory, tgtMask: tgtMask, memoryMask: memoryMask, tgtKeyPaddingMask: tgtKeyPaddingMask,
                  memoryKeyPaddingMask: memoryKeyPaddingMask, tgtIsCausal: tgtIsCausal)
        }
        return norm.map { $0(x) } ?? x
    }
}

/// The encoder-decoder transformer of "Attention Is All You Need" (PyTorch's
/// `nn.Transformer`): an encoder and a decoder, each with a final layer norm, every
/// matrix initialised xavier-uniform. Names `encoder.layers.0…`, `decoder.norm`, ….
public final class Transformer: Module {
    /// Reads the source.
    public let encoder: TransformerEncoder
    /// Writes the target, attending to the encoded source.
    public let decoder: TransformerDecoder

    /// PyTorch's defaults: width 512, 8 heads, 6 + 6 layers, feed-forward 2048, dropout 0.1.
    public init(dModel: Int = 512, nhead: Int = 8, numEncoderLayers: Int = 6, numDecoderLayers: Int = 6,
                dimFeedforward: Int = 2048, dropout: Double = 0.1, activation: TransformerActivation = .relu,
                layerNormEps: Double = 1e-5, batchFirst: Bool = false, normFirst: Bool = false, bias: Bool = true,
                dtype: DType = .float32) {
        encoder = TransformerEncoder(numLayers: numEncoderLayers,
                                     norm: LayerNorm(normalizedShape: [dModel], eps: layerNormEps, dtype: dtype)) {
            TransformerEncoderLayer(dModel: dModel, nhead: nhead, dimFeedforward: dimFeedforward, dropout: dropout,
                                    activation: activation, layerNormEps: layerNormEps, batchFirst: batchFirst,
                                    normFirst: normFirst, bias: bias, dtype: dtype)
        }
        decoder = TransformerDecoder(numLayers: numDecoderLayers,
                                     norm: LayerNorm(normalizedShape: [dModel], eps: layerNormEps, dtype: dtype)) {
            TransformerDecoderLayer(dModel: dModel, nhead: nhead, dimFeedforward: dimFeedforward, dropout: dropout,
                                    activation: activation, layerNormEps: layerNormEps, batchFirst: batchFirst,
                                    normFirst: normFirst, bias: bias, dtype: dtype)
        }
        super.init()
        for p in parameters() where p.ndim > 1 { Init.xavierUniform(p) }
    }

    /// The decoder's output for `tgt` given `src` (both `[L, B, E]`, or batch first).
    public func callAsFunction(_ src: Tensor, _ tgt: Tensor, srcMask: Tensor? = nil, tgtMask: Tensor? = nil,
                               memoryMask: Tensor? = nil, srcKeyPaddingMask: Tensor? = nil,
                               tgtKeyPaddingMask: Tensor? = nil, memoryKeyPaddingMask: Tensor? = nil,
                               tgtIsCausal: Bool = false) -> Tensor {
        let memory = encoder(src, mask: srcMask, keyPaddingMask: srcKeyPaddingMask)
        return decoder(tgt, memory: memory, tgtMask: tgtMask, memoryMask: memoryMask, tgtKeyPaddingMask: tgtKeyPaddingMask,
                       memoryKeyPaddingMask: memoryKeyPaddingMask, tgtIsCausal: tgtIsCausal)
    }

    /// A float `[n, n]` mask with −∞ above the diagonal (PyTorch's
    /// `generate_square_subsequent_mask`).
    public static func squareSubsequentMask(_ n: Int, dtype: DType = .float32) -> Tensor {
        Tensor.full([n, n], -.infinity, dtype: dtype).triu(diagonal: 1)
    }
}
