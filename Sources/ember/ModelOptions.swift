import ArgumentParser
import EmberData
import EmberModels

// Each model's flags, mapped onto its config; the defaults are its recipe's.

/// A model's option group: its flags and the config they make.
protocol ModelOptions: ParsableArguments {
    associatedtype Config: ModelConfig
    /// The recipe's config with these flags' values.
    var config: Config { get }
    /// Config keys whose flags are not the key in kebab case (`n_head` is `--heads`).
    static var flags: [String: String] { get }
}

extension ModelOptions {
    static var flags: [String: String] { [:] }
}

/// A text model's option group, which also says how it reads its text.
protocol TextModelOptions: ModelOptions {
    /// Characters per training window.
    var window: Int { get }
    /// The share of characters a BERT masks; nil for a language model.
    var maskProb: Double? { get }
}

/// `--hidden 256,128`, `--dropout`.
struct MLPOptions: ModelOptions {
    @Option(help: "Hidden sizes of the MLP, comma-separated.")
    var hidden: String = MLPRecipe.model.hidden.map(String.init).joined(separator: ",")
    @Option(help: "Dropout after each hidden layer.") var dropout: Double = MLPRecipe.model.dropout

    /// The recipe's MLP with these sizes; a size that is not a positive integer becomes 0,
    /// which the config refuses.
    var config: MLPConfig {
        var c = MLPRecipe.model
        c.hidden = hidden.split(separator: ",", omittingEmptySubsequences: false)
            .map { Int($0.trimmingCharacters(in: .whitespaces)) ?? 0 }
        c.dropout = dropout
        return c
    }
}

/// `--dropout`, `--batch-norm`.
struct CNNOptions: ModelOptions {
    @Option(help: "Dropout before the last layer.") var dropout: Double = CNNRecipe.model.dropout
    @Flag(help: "Batch normalisation after each convolution.") var batchNorm = CNNRecipe.model.batchNorm

    var config: CNNConfig {
        var c = CNNRecipe.model
        c.dropout = dropout
        c.batchNorm = batchNorm
        return c
    }
}

/// `--positive-class`, `--negative-class`.
struct PerceptronOptions: ModelOptions {
    @Option(help: "The class labelled 1.") var positiveClass: Int = PerceptronRecipe.model.positiveClass
    @Option(help: "The class labelled 0.") var negativeClass: Int = PerceptronRecipe.model.negativeClass

    var config: PerceptronConfig {
        var c = PerceptronRecipe.model
        c.positiveClass = positiveClass
        c.negativeClass = negativeClass
        return c
    }
}

/// `--arch`, `--embed`, `--hidden`, `--layers`, `--dropout`, and the window, `--seq-len`.
struct CharRNNOptions: TextModelOptions {
    @Option(help: "Recurrent cell: rnn, lstm or gru.") var arch: RecurrentArch = CharLMRecipe.model.arch
    @Option(help: "Character embedding width.") var embed: Int = CharLMRecipe.model.embed
    @Option(help: "Hidden state size.") var hidden: Int = CharLMRecipe.model.hidden
    @Option(help: "Stacked recurrent layers.") var layers: Int = CharLMRecipe.model.layers
    @Option(help: "Dropout between recurrent layers.") var dropout: Double = CharLMRecipe.model.dropout
    @Option(help: "Characters per training window.") var seqLen: Int = Self.recipeWindow

    private static var recipeWindow: Int {
        guard case let .text(_, window, _) = CharLMRecipe.data else { preconditionFailure("charlm reads text") }
        return window
    }
    static var flags: [String: String] { ["window": "--seq-len"] }

    var config: CharRNNConfig {
        var c = CharLMRecipe.model
        (c.arch, c.embed, c.hidden, c.layers, c.dropout) = (arch, embed, hidden, layers, dropout)
        return c
    }
    var window: Int { seqLen }
    var maskProb: Double? { nil }
}

/// A transformer's sizes, `--layers`, `--heads`, `--embed`, `--context` (also the
/// training window), and `--dropout`, with `R`'s defaults.
struct TransformerOptions<R: Recipe>: ParsableArguments {
    @Option(help: "Transformer layers.") var layers: Int = Self.sizes.layers
    @Option(help: "Attention heads per layer.") var heads: Int = Self.sizes.heads
    @Option(help: "Model width (a multiple of --heads).") var embed: Int = Self.sizes.embed
    @Option(help: "Context length in characters (also the training window).") var context: Int = Self.sizes.context
    @Option(help: "Dropout after the embeddings, on attention weights and in each layer.") var dropout: Double = Self.sizes.dropout

    /// The recipe's sizes, GPT or BERT.
    private static var sizes: (layers: Int, heads: Int, embed: Int, context: Int, dropout: Double) {
        switch R.model.erased {
        case let .gpt(c): (c.nLayer, c.nHead, c.nEmbd, c.blockSize, c.dropout)
        case let .bert(c): (c.layers, c.heads, c.embed, c.maxPositions, c.dropout)
        default: preconditionFailure("TransformerOptions: \(R.name) is not a transformer recipe")
        }
    }
}

/// The flags of a transformer's config keys.
private let transformerFlags = ["n_layer": "--layers", "n_head": "--heads", "n_embd": "--embed", "block_size": "--context",
                                "max_positions": "--context", "window": "--context"]

/// A GPT's sizes and `--tied`.
struct GPTOptions: TextModelOptions {
    @OptionGroup var sizes: TransformerOptions<GPTRecipe>
    @Flag(help: "Tie the output layer to the token embedding (as nanoGPT).") var tied = GPTRecipe.model.tiedWeights

    static var flags: [String: String] { transformerFlags }

    var config: GPTConfig {
        var c = GPTRecipe.model
        (c.nLayer, c.nHead, c.nEmbd, c.blockSize, c.dropout, c.tiedWeights) =
            (sizes.layers, sizes.heads, sizes.embed, sizes.context, sizes.dropout, tied)
        return c
    }
    var window: Int { sizes.context }
    var maskProb: Double? { nil }
}

/// A BERT's sizes and `--mask-prob`.
struct BERTOptions: TextModelOptions {
    @OptionGroup var sizes: TransformerOptions<BERTRecipe>
    @Option(name: .customLong("mask-prob"), help: "Share of the characters masked and predicted.") var maskShare: Double = Self.recipeMask

    private static var recipeMask: Double {
        guard case let .text(_, _, maskProb?) = BERTRecipe.data else { preconditionFailure("bert masks its text") }
        return maskProb
    }
    static var flags: [String: String] { transformerFlags }

    var config: BERTConfig {
        var c = BERTRecipe.model
        (c.layers, c.heads, c.embed, c.maxPositions, c.dropout) = (sizes.layers, sizes.heads, sizes.embed, sizes.context, sizes.dropout)
        return c
    }
    var window: Int { sizes.context }
    var maskProb: Double? { maskShare }
}

/// `--arch`, `--hidden`, `--layers`, `--window`, `--horizon`.
struct SeriesOptions: ModelOptions {
    @Option(help: "Recurrent cell: lstm or gru.") var arch: RecurrentArch = SeriesRecipe.model.arch
    @Option(help: "Hidden state size.") var hidden: Int = SeriesRecipe.model.hidden
    @Option(help: "Stacked recurrent layers.") var layers: Int = SeriesRecipe.model.layers
    @Option(help: "Past values each forecast reads.") var window: Int = SeriesRecipe.model.window
    @Option(help: "Future values each forecast predicts.") var horizon: Int = SeriesRecipe.model.horizon

    var config: SeriesForecasterConfig {
        var c = SeriesRecipe.model
        (c.arch, c.hidden, c.layers, c.window, c.horizon) = (arch, hidden, layers, window, horizon)
        return c
    }
}

/// Fashion-MNIST: `--data`, `--val-size`, `--normalize`/`--no-normalize`.
struct ImageDataOptions<R: Recipe>: ParsableArguments {
    @Option(help: "Folder of the Fashion-MNIST IDX files.") var data: String = FashionMNIST.defaultDirectory
    @Option(help: ArgumentHelp(
        "Training images held out for validation (default: \(Self.recipe.valSize), or 5000 with --patience).",
        discussion: "mlp and cnn train on all 60,000 images unless asked, as the reference recipes do; give a count to watch the validation loss."))
    var valSize: Int?
    @Flag(inversion: .prefixedNo, help: "Standardise the input pixels with the training images' mean and standard deviation (mlp, cnn).")
    var normalize = Self.recipe.normalize

    private static var recipe: (valSize: Int, normalize: Bool) {
        guard case let .images(_, valSize, normalize) = R.data else { preconditionFailure("ImageDataOptions: \(R.name) reads no images") }
        return (valSize, normalize)
    }

    /// The data, holding out 5,000 images when `patience` chooses by them.
    func config(patience: Int?) -> DataConfig {
        .images(directory: data, valSize: valSize ?? (patience != nil ? Swift.max(Self.recipe.valSize, 5000) : Self.recipe.valSize),
                normalize: normalize)
    }
}

/// `--corpus`.
struct CorpusOptions<R: Recipe>: ParsableArguments {
    @Option(help: "Text file to train on (90% training, 10% validation).") var corpus: String = Self.recipe

    private static var recipe: String {
        guard case let .text(corpus, _, _) = R.data else { preconditionFailure("CorpusOptions: \(R.name) reads no text") }
        return corpus
    }
}

/// The synthetic series or a CSV file: `--points`, `--noise`, `--csv`.
struct SeriesDataOptions: ParsableArguments {
    @Option(help: "Length of the synthetic series.") var points: Int = Self.recipe.points
    @Option(help: "Standard deviation of the synthetic series' noise.") var noise: Double = Self.recipe.noise
    @Option(help: "Forecast this file's numbers instead (one per line, or the last field of CSV lines).") var csv: String?

    private static var recipe: (points: Int, noise: Double) {
        guard case let .series(points, noise, _) = SeriesRecipe.data else { preconditionFailure("SeriesDataOptions: no series") }
        return (points, noise)
    }

    var config: DataConfig { .series(points: points, noise: noise, csv: csv) }
}

/// The spoken-digit recognizer: `--arch`, `--width`, `--dropout`, `--n-mels`.
struct RecognizerOptions: ModelOptions {
    @Option(help: "Network over the frames: cnn or gru.") var arch: RecognizerArch = SpeechDigitsRecipe.model.arch
    @Option(help: "The CNN's first channels (then twice as many), or the GRU's hidden size.")
    var width: Int = SpeechDigitsRecipe.model.width
    @Option(help: "Dropout before the last layer.") var dropout: Double = SpeechDigitsRecipe.model.dropout
    @Option(help: "Mel bands of the log-mel input.") var nMels: Int = SpeechDigitsRecipe.model.nMels

    var config: DigitRecognizerConfig {
        var c = SpeechDigitsRecipe.model
        (c.arch, c.width, c.dropout, c.nMels) = (arch, width, dropout, nMels)
        return c
    }
}

/// A speech-digits corpus: `--data`, `--copies`.
struct SpeechDataOptions: ParsableArguments {
    @Option(help: "Folder of the corpus (`ember data speech-digits` writes it).") var data: String = Self.recipe.directory
    @Option(help: "Augmented versions of each training utterance in an epoch.") var copies: Int = Self.recipe.copies

    /// The recipe's corpus and copies.
    static var recipe: (directory: String, copies: Int) {
        guard case let .speech(directory, copies) = SpeechDigitsRecipe.data else { preconditionFailure("SpeechDataOptions: no speech") }
        return (directory, copies)
    }

    var config: DataConfig { .speech(directory: data, copies: copies) }
}

/// The speech synthesizer: `--width`, `--encoder-layers`, `--decoder-layers`,
/// `--kernel-size`, `--dropout`.
struct SynthesizerOptions: ModelOptions {
    @Option(help: "Channels of every block.") var width: Int = SpeechTTSRecipe.model.width
    @Option(help: "Convolutional blocks over phonemes.") var encoderLayers: Int = SpeechTTSRecipe.model.encoderLayers
    @Option(help: "Convolutional blocks over frames.") var decoderLayers: Int = SpeechTTSRecipe.model.decoderLayers
    @Option(help: "Their kernel size (odd).") var kernelSize: Int = SpeechTTSRecipe.model.kernelSize
    @Option(help: "Dropout in every block.") var dropout: Double = SpeechTTSRecipe.model.dropout

    var config: SynthesizerConfig {
        var c = SpeechTTSRecipe.model
        (c.width, c.encoderLayers, c.decoderLayers, c.kernelSize, c.dropout) = (width, encoderLayers, decoderLayers, kernelSize, dropout)
        return c
    }
}
