import Ember
import EmberData
import EmberNN

/// What a nanoGPT file may not say about itself, given by the user (`ember generate
/// --heads N --vocab FILE`).
public struct NanoGPTHints: Sendable {
    /// Attention heads per block: tensor shapes do not show them.
    public var heads: Int?
    /// The characters, by token index.
    public var vocabulary: CharVocabulary?

    /// Hints, none by default.
    public init(heads: Int? = nil, vocabulary: CharVocabulary? = nil) {
        self.heads = heads
        self.vocabulary = vocabulary
    }
}

extension GPTConfig {
    /// The config and characters of a nanoGPT state dict saved without Ember's
    /// description: the tensor shapes give the vocabulary size and width
    /// (`transformer.wte.weight`), the context (`transformer.wpe.weight`), the layers
    /// (`transformer.h.N`), whether there are biases and whether the output layer is tied
    /// to the embedding; nanoGPT's own `model_args` names in the metadata (`n_layer`,
    /// `n_head`, `n_embd`, `block_size`, `bias`, `vocab_size`) must agree and supply the
    /// heads, or `hints` do; the characters come from a `vocab` entry (a JSON array of
    /// strings) or `hints`. Throws saying what is missing and how to supply it.
    static func inferringFrom(_ tensors: [String: Tensor], metadata m: [String: String], hints: NanoGPTHints) throws
        -> (AnyModelConfig, CharVocabulary) {
        guard let wte = tensors["transformer.wte.weight"], wte.ndim == 2, let wpe = tensors["transformer.wpe.weight"], wpe.ndim == 2 else {
            throw ConfigError("its metadata describes no model (neither Ember's 'config' nor a 'model' entry) and its tensors are not a nanoGPT GPT's (no 2-D transformer.wte.weight and transformer.wpe.weight)")
        }
        let (vocabSize, width, context) = (wte.shape[0], wte.shape[1], wpe.shape[0])
        var layers = 0
        while tensors.keys.contains(where: { $0.hasPrefix("transformer.h.\(layers).") }) { layers += 1 }
        guard layers > 0 else { throw ConfigError("a nanoGPT file needs its blocks: no tensor is named transformer.h.0.*") }
        let bias = tensors["transformer.h.0.attn.c_attn.bias"] != nil
        let tied = tensors["lm_head.weight"].map { $0.shape == wte.shape && ($0 - wte).abs().max().item() == 0.0 } ?? true

        func argument(_ key: String) throws -> Int? {
            guard let v = m[key] else { return nil }
            guard let n = Int(v), n > 0 else { throw ConfigError("metadata '\(key)' = '\(v)' is not a positive integer") }
            return n
        }
        for (key, shown) in [("vocab_size", vocabSize), ("n_embd", width), ("block_size", context), ("n_layer", layers)] {
            if let stated = try argument(key), stated != shown {
                throw ConfigError("metadata '\(key)' = \(stated) but the tensors show \(shown)")
            }
        }
        if let stated = m["bias"], Bool(stated) != bias {
            throw ConfigError("metadata 'bias' = '\(stated)' but the tensors have \(bias ? "" : "no ")biases")
        }
        guard let heads = try hints.heads ?? argument("n_head") else {
            throw ConfigError("a nanoGPT file's shapes do not give its attention heads: pass --heads N (or add metadata 'n_head')")
        }
        guard let vocabulary = try hints.vocabulary ?? m["vocab"].map(ModelFile.characters(json:)) else {
            throw ConfigError("a nanoGPT file needs its characters: add metadata 'vocab' (a JSON array of strings) or pass --vocab FILE")
        }
        let config = GPTConfig(vocabSize: vocabSize, blockSize: context, nLayer: layers, nHead: heads, nEmbd: width, dropout: 0,
                               bias: bias, tiedWeights: tied)
        return (.gpt(config), vocabulary)
    }
}
