import EmberData
import EmberModels
import EmberNN
import EmberTrain

/// A training recipe: the whole default configuration of one `ember train` command.
/// Each default is written here once (or, for the model, in its config's initialiser);
/// the command's flags show it in their help and start from it, and it reaches
/// `config.json` and the model file from there.
protocol Recipe {
    associatedtype Model: ModelConfig
    /// The command's name, `ember train NAME`.
    static var name: String { get }
    /// The command's one-line description.
    static var summary: String { get }
    /// The model (a text model's vocabulary size comes from its corpus).
    static var model: Model { get }
    /// The data.
    static var data: DataConfig { get }
    /// The optimizer.
    static var optimizer: OptimizerConfig { get }
    /// The learning-rate schedule.
    static var schedule: ScheduleConfig { get }
    /// How long, in what batches, with what seed and threads.
    static var training: TrainingConfig { get }
}

extension Recipe {
    static var schedule: ScheduleConfig { ScheduleConfig() }
    /// The whole default run, with `logging`.
    static func run(logging: LoggingConfig = LoggingConfig()) -> RunConfig {
        RunConfig(model: model.erased, data: data, optimizer: optimizer, schedule: schedule, training: training, logging: logging)
    }
}

/// The Fashion-MNIST classifiers' data: every training image, standardised (images are
/// held out only when something chooses by them: `--patience`, `--val-size`).
private let fashionMNIST = DataConfig.images(directory: FashionMNIST.defaultDirectory, valSize: 0, normalize: true)
/// Adam at 1e-3; momentum for `--optimizer sgd`.
private let classifierOptimizer = OptimizerConfig(kind: .adam, lr: 1e-3, momentum: 0.9)

/// `ember train mlp`: 784-256-128-10, Adam 1e-3, batch 128, 5 epochs.
enum MLPRecipe: Recipe {
    static let name = "mlp"
    static let summary = "Train a 784-256-128-10 MLP on Fashion-MNIST (Adam 1e-3, batch 128, 5 epochs)."
    static var model: MLPConfig { MLPConfig() }
    static var data: DataConfig { fashionMNIST }
    static var optimizer: OptimizerConfig { classifierOptimizer }
    static var training: TrainingConfig { TrainingConfig(epochs: 5, batchSize: 128) }
}

/// `ember train cnn`: the peer's CNN with dropout 0.5, Adam 1e-3, batch 64, 2 epochs.
enum CNNRecipe: Recipe {
    static let name = "cnn"
    static let summary = "Train the conv-pool-conv-pool-fc CNN on Fashion-MNIST (Adam 1e-3, batch 64, dropout 0.5, 2 epochs)."
    static var model: CNNConfig { CNNConfig() }
    static var data: DataConfig { fashionMNIST }
    static var optimizer: OptimizerConfig { classifierOptimizer }
    static var training: TrainingConfig { TrainingConfig(epochs: 2, batchSize: 64) }
}

/// `ember train perceptron`: Rosenblatt's rule at rate 1e-3 for up to 20 epochs, T-shirt/top
/// against Trouser, the best epoch chosen on 1,000 of 5,000 held-out images.
enum PerceptronRecipe: Recipe {
    static let name = "perceptron"
    static let summary = "Train Rosenblatt's perceptron on two Fashion-MNIST classes (T-shirt/top against Trouser)."
    static var model: PerceptronConfig { PerceptronConfig() }
    static var data: DataConfig { .images(directory: FashionMNIST.defaultDirectory, valSize: 5000, normalize: false) }
    static var optimizer: OptimizerConfig { OptimizerConfig(kind: .sgd, lr: 1e-3) }
    static var training: TrainingConfig { TrainingConfig(epochs: 20, batchSize: 1) }
}

/// The corpus the text models read: 1,000,000 characters of Shakespeare (scripts/setup).
private let shakespeare = "data/shakespeare.txt"

/// `ember train charlm`: the peer benchmark's recipe, an LSTM of 256 over embeddings of 64,
/// windows of 64, batch 32, Adam 2e-3, clip 1, 2,000 steps, validated every 100 on 50
/// random batches of the last 10% of the text.
enum CharLMRecipe: Recipe {
    static let name = "charlm"
    static let summary = "Train a character-level language model (rnn, lstm or gru) on a text corpus."
    static var model: CharRNNConfig { CharRNNConfig(vocabSize: 0) }
    static var data: DataConfig { .text(corpus: shakespeare, window: 64, maskProb: nil) }
    static var optimizer: OptimizerConfig { OptimizerConfig(kind: .adam, lr: 2e-3) }
    static var training: TrainingConfig { TrainingConfig(steps: 2000, evalEvery: 100, evalBatches: 50, batchSize: 32, clip: 1) }
}

/// The transformers' optimizer, as nanoGPT: AdamW 1e-3, β 0.9/0.95, weight decay 0.1 on
/// the matrices only; a cosine schedule, when asked for, ends at a tenth of the rate.
private let transformerOptimizer = OptimizerConfig(kind: .adamw, lr: 1e-3, weightDecay: 0.1, beta2: 0.95, decayMatricesOnly: true)
private let transformerSchedule = ScheduleConfig(kind: .constant, warmup: 0, finalFraction: 0.1)
private let transformerTraining = TrainingConfig(steps: 2000, evalEvery: 100, evalBatches: 50, batchSize: 32, clip: 1)

/// `ember train gpt`: the peer benchmark's character GPT: 4 layers, width 128, 4 heads,
/// context 128, untied output layer, no dropout; AdamW as nanoGPT, clip 1, 2,000 steps.
enum GPTRecipe: Recipe {
    static let name = "gpt"
    static let summary = "Train a character-level GPT on a text corpus."
    static var model: GPTConfig {
        GPTConfig(vocabSize: 0, blockSize: 128, nLayer: 4, nHead: 4, nEmbd: 128, dropout: 0, bias: true, tiedWeights: false)
    }
    static var data: DataConfig { .text(corpus: shakespeare, window: 128, maskProb: nil) }
    static var optimizer: OptimizerConfig { transformerOptimizer }
    static var schedule: ScheduleConfig { transformerSchedule }
    static var training: TrainingConfig { transformerTraining }
}

/// `ember train bert`: the GPT recipe's sizes and optimizer as a post-norm encoder with
/// BERT's dropout of 0.1, predicting 15% of the characters (BERT's masking).
enum BERTRecipe: Recipe {
    static let name = "bert"
    static let summary = "Train a character-level BERT-style encoder by masked-language modelling."
    static var model: BERTConfig { BERTConfig(vocabSize: 0, maxPositions: 128, layers: 4, heads: 4, embed: 128, dropout: 0.1) }
    static var data: DataConfig { .text(corpus: shakespeare, window: 128, maskProb: 0.15) }
    static var optimizer: OptimizerConfig { transformerOptimizer }
    static var schedule: ScheduleConfig { transformerSchedule }
    static var training: TrainingConfig { transformerTraining }
}

/// `ember train series`: an LSTM of 64 reading 48 values to forecast the next, on 4,000
/// points of noisy sines (noise 0.2); Adam 2e-3, clip 1, batch 64, 15 epochs.
enum SeriesRecipe: Recipe {
    static let name = "series"
    static let summary = "Train a recurrent forecaster on a time series and compare it with the last-value forecast."
    static var model: SeriesForecasterConfig { SeriesForecasterConfig() }
    static var data: DataConfig { .series(points: 4000, noise: 0.2, csv: nil) }
    static var optimizer: OptimizerConfig { OptimizerConfig(kind: .adam, lr: 2e-3) }
    static var training: TrainingConfig { TrainingConfig(epochs: 15, batchSize: 64, clip: 1) }
}

/// `ember train speech-digits`: the 1-D CNN over 40 log-mels, on the corpus that `ember
/// data speech-digits` writes, each training utterance heard in 4 augmented versions an
/// epoch; Adam 1e-3 with a cosine schedule, batch 64, 8 epochs.
enum SpeechDigitsRecipe: Recipe {
    static let name = "speech-digits"
    static let summary = "Train a spoken-digit recognizer (a CNN or a GRU over log-mels) on espeak-ng's synthetic speech."
    static var model: DigitRecognizerConfig { DigitRecognizerConfig() }
    static var data: DataConfig { .speech(directory: "data/speech-digits", copies: 4) }
    static var optimizer: OptimizerConfig { classifierOptimizer }
    static var schedule: ScheduleConfig { ScheduleConfig(kind: .cosine, warmup: 0, finalFraction: 0) }
    static var training: TrainingConfig { TrainingConfig(epochs: 8, batchSize: 64) }
}

/// `ember train speech-tts`: the convolutional FastSpeech, 128 wide, on the corpus that
/// `ember data speech-tts` writes; Adam 1e-3 with a cosine schedule, batch 16, 40 epochs.
enum SpeechTTSRecipe: Recipe {
    static let name = "speech-tts"
    static let summary = "Train a FastSpeech-style speech synthesizer on espeak-ng's digit strings (synthetic speech)."
    /// The corpus's folder.
    static let directory = "data/speech-tts"
    static var model: SynthesizerConfig { SynthesizerConfig(phonemes: []) }
    static var data: DataConfig { .phonemes(directory: directory) }
    static var optimizer: OptimizerConfig { classifierOptimizer }
    static var schedule: ScheduleConfig { ScheduleConfig(kind: .cosine, warmup: 0, finalFraction: 0) }
    static var training: TrainingConfig { TrainingConfig(epochs: 40, batchSize: 16) }
}
