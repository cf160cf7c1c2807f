import Ember
import EmberData

/// A character-level BERT's sizes and vocabulary, stored as a safetensors file's
/// `__metadata__`. Token `vocabulary.count` is the mask token.
public struct BERTSpec: Equatable, Sendable {
    /// The characters, by index.
    public var vocabulary: CharVocabulary
    /// The model's shape (its `vocabSize` is the vocabulary's size plus the mask token).
    public var config: BERTConfig

    /// A spec from a vocabulary and the model's sizes.
    public init(vocabulary: CharVocabulary, layers: Int, heads: Int, embed: Int, context: Int, dropout: Double = 0.1) {
        self.vocabulary = vocabulary
        config = BERTConfig(vocabSize: vocabulary.count + 1, maxPositions: context, layers: layers, heads: heads, embed: embed,
                            dropout: dropout)
    }

    /// The index of the mask token.
    public var maskToken: Int { vocabulary.count }

    /// The model, freshly initialised.
    public func build() -> BERT { BERT(config) }

    /// The spec as `__metadata__` strings.
    public var metadata: [String: String] {
        ["model": "bert", "format": "ember-bert-1", "vocabulary": vocabulary.string, "layers": String(config.layers),
         "heads": String(config.heads), "embed": String(config.embed), "context": String(config.maxPositions),
         "dropout": String(config.dropout)]
    }

    /// The spec a file's `__metadata__` describes; throws naming what is missing or wrong.
    public init(metadata m: [String: String]) throws {
        guard m["model"] == "bert" else {
            throw ModelSpecError("metadata names model '\(m["model"] ?? "none")', not a BERT (bert)")
        }
        let vocabulary = try CharVocabulary(metadata: m)
        let dropout = try m.probability("dropout")
        let embed = try m.positiveInt("embed"), heads = try m.positiveInt("heads")
        guard embed % heads == 0 else { throw ModelSpecError("metadata 'embed' \(embed) is not a multiple of 'heads' \(heads)") }
        self.init(vocabulary: vocabulary, layers: try m.positiveInt("layers"), heads: heads, embed: embed,
                  context: try m.positiveInt("context"), dropout: dropout)
    }
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
