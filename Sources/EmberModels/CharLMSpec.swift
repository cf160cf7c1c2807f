import Ember
import EmberData
import EmberNN

/// Which character language model to build: its cell, sizes and vocabulary. Stored as
/// a safetensors file's `__metadata__`, so the weights file alone rebuilds the model
/// and reads and writes its text.
public struct CharLMSpec: Equatable, Sendable {
    /// The recurrent cells a model can use, by their command-line names.
    public enum Arch: String, Sendable, CaseIterable {
        case rnn, lstm, gru

        /// The cell (`rnn` is the tanh Elman network).
        public var cell: RecurrentCellKind {
            switch self {
            case .rnn: return .rnnTanh
            case .lstm: return .lstm
            case .gru: return .gru
            }
        }
    }

    /// The recurrent cell.
    public var arch: Arch
    /// The characters, by index.
    public var vocabulary: CharVocabulary
    /// Embedding width, hidden size and stacked layers.
    public var embed: Int, hidden: Int, layers: Int
    /// Dropout between recurrent layers.
    public var dropout: Double

    /// A spec from its parts.
    public init(arch: Arch, vocabulary: CharVocabulary, embed: Int = 64, hidden: Int = 256, layers: Int = 1, dropout: Double = 0) {
        self.arch = arch
        self.vocabulary = vocabulary
        self.embed = embed
        self.hidden = hidden
        self.layers = layers
        self.dropout = dropout
    }

    /// The model, freshly initialised.
    public func build() -> CharRNN {
        CharRNN(cell: arch.cell, vocabularySize: vocabulary.count, embed: embed, hidden: hidden, layers: layers, dropout: dropout)
    }

    /// The spec as `__metadata__` strings.
    public var metadata: [String: String] {
        ["model": "charlm", "format": "ember-charlm-1", "arch": arch.rawValue, "vocabulary": vocabulary.string,
         "embed": String(embed), "hidden": String(hidden), "layers": String(layers), "dropout": String(dropout)]
    }

    /// The spec a file's `__metadata__` describes; throws naming what is missing or wrong.
    public init(metadata m: [String: String]) throws {
        guard m["model"] == "charlm" else {
            throw ModelSpecError("metadata names model '\(m["model"] ?? "none")', not a character language model (charlm)")
        }
        guard let a = m["arch"], let arch = Arch(rawValue: a) else {
            throw ModelSpecError("metadata 'arch' = '\(m["arch"] ?? "")' is not one of \(Arch.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let vocabulary = try CharVocabulary(metadata: m)
        let dropout = try m.probability("dropout")
        self.init(arch: arch, vocabulary: vocabulary, embed: try m.positiveInt("embed"),
                  hidden: try m.positiveInt("hidden"), layers: try m.positiveInt("layers"), dropout: dropout)
    }
}
