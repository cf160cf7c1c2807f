import Ember
import EmberData

/// A character-level GPT's configuration and vocabulary, stored as a safetensors file's
/// `__metadata__`, so the weights file alone rebuilds the model and reads and writes its
/// text.
public struct GPTSpec: Equatable, Sendable {
    /// The characters, by index.
    public var vocabulary: CharVocabulary
    /// The model's shape (its `vocabSize` is the vocabulary's size).
    public var config: GPTConfig

    /// A spec from a vocabulary and the model's sizes.
    public init(vocabulary: CharVocabulary, layers: Int, heads: Int, embed: Int, context: Int, dropout: Double = 0,
                bias: Bool = true, tiedWeights: Bool = false) {
        self.vocabulary = vocabulary
        config = GPTConfig(vocabSize: vocabulary.count, blockSize: context, nLayer: layers, nHead: heads, nEmbd: embed,
                           dropout: dropout, bias: bias, tiedWeights: tiedWeights)
    }

    /// The model, freshly initialised.
    public func build() -> GPT { GPT(config) }

    /// The spec as `__metadata__` strings.
    public var metadata: [String: String] {
        ["model": "gpt", "format": "ember-gpt-1", "vocabulary": vocabulary.string, "layers": String(config.nLayer),
         "heads": String(config.nHead), "embed": String(config.nEmbd), "context": String(config.blockSize),
         "dropout": String(config.dropout), "bias": String(config.bias), "tied": String(config.tiedWeights)]
    }

    /// The spec a file's `__metadata__` describes; throws naming what is missing or wrong.
    public init(metadata m: [String: String]) throws {
        guard m["model"] == "gpt" else {
            throw ModelSpecError("metadata names model '\(m["model"] ?? "none")', not a GPT (gpt)")
        }
        let vocabulary = try CharVocabulary(metadata: m)
        let dropout = try m.probability("dropout")
        let embed = try m.positiveInt("embed"), heads = try m.positiveInt("heads")
        guard embed % heads == 0 else { throw ModelSpecError("metadata 'embed' \(embed) is not a multiple of 'heads' \(heads)") }
        self.init(vocabulary: vocabulary, layers: try m.positiveInt("layers"), heads: heads, embed: embed,
                  context: try m.positiveInt("context"),
                  dropout: dropout, bias: try m.flag("bias"), tiedWeights: try m.flag("tied"))
    }
}

extension CharVocabulary {
    /// The vocabulary a model file's `__metadata__` stores under `vocabulary`.
    public init(metadata m: [String: String]) throws {
        guard let chars = m["vocabulary"], !chars.isEmpty, Set(chars).count == chars.count else {
            throw ModelSpecError("metadata 'vocabulary' is missing or repeats a character")
        }
        self.init(characters: Array(chars))
    }
}
