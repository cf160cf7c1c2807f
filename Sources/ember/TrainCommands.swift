import ArgumentParser
import EmberModels
import EmberNN
import EmberTrain

/// `ember train`: the kinds of model Ember trains, each into a run directory; `ember
/// train --resume DIR` continues any of them.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a model into a run directory.",
        subcommands: [TrainMLP.self, TrainCNN.self, TrainPerceptron.self, TrainCharLM.self, TrainGPT.self, TrainBERT.self,
                      TrainSeries.self, TrainSpeechDigits.self, TrainSpeechTTS.self, ResumeRun.self],
        defaultSubcommand: ResumeRun.self)
}

/// An `ember train` command: option groups that fill one run's configuration from its
/// recipe's defaults, and the one driver (`TrainingRun`) that runs it, or, with
/// `--resume`, continues a run of the same kind. Adding a model means its config, its
/// recipe, its option group and a command like these.
protocol TrainCommand: ParsableCommand {
    associatedtype R: Recipe
    /// The run the flags describe.
    var config: RunConfig { get }
    /// Seed, threads, run directory, resume and logging.
    var session: RunOptions<R> { get }
    /// `--epochs` or `--steps` as given (with `--resume`, the new total).
    var length: (epochs: Int?, steps: Int?) { get }
    /// Config keys whose flags are not the key in kebab case (`n_head` is `--heads`).
    static var flags: [String: String] { get }
}

extension TrainCommand {
    static var flags: [String: String] { [:] }

    /// Checks the configuration the flags make, naming the flags at fault (a text
    /// model's vocabulary and a synthesiser's phonemes come from the corpus later: any
    /// will do here).
    func validate() throws {
        var checked = config
        checked.model = TextModelling.sized(checked.model, characters: 1)
        do {
            try checked.validate()
        } catch let error as ConfigError {
            throw ValidationError(error.spelling { Self.flags[$0] ?? "--" + $0.replacingOccurrences(of: "_", with: "-") })
        }
    }

    func run() throws {
        try reportingErrors {
            let parallel = try session.parallel.start()
            try DataParallel.run(parallel) {
                if let resume = session.resume {
                    let refused = RunOptions<R>.contradictingResume(CommandLine.arguments)
                    guard refused.isEmpty else {
                        throw CLIError("\(refused.joined(separator: ", ")): --resume continues \(resume) with the configuration its config.json saved; only --epochs or --steps, --distributed and the logging options apply (start a new run with --out to change the rest)")
                    }
                    try TrainingRun.resume(resume, kind: R.Model.kind, epochs: length.epochs, steps: length.steps,
                                           logging: session.logging.config, parallel: parallel)
                } else {
                    try TrainingRun.start(config, out: session.out, name: R.name, parallel: parallel)
                }
            }
        }
    }
}

extension RunConfig {
    /// A run of `model` on `data` with the rest from the shared option groups.
    init<R: Recipe>(model: AnyModelConfig, data: DataConfig, optimizer: OptimizerOptions<R>, schedule: ScheduleOptions<R>,
                    training: TrainingConfig, session: RunOptions<R>) {
        self.init(model: model, data: data, optimizer: optimizer.config, schedule: schedule.config, training: training,
                  logging: session.logging.config)
    }
}

/// `ember train mlp` and `ember train cnn`: a Fashion-MNIST classifier with an optimizer
/// and a training loop, its model's flags from `Model`.
struct TrainClassifier<R: Recipe, Model: ModelOptions>: TrainCommand where Model.Config == R.Model {
    static var configuration: CommandConfiguration { CommandConfiguration(commandName: R.name, abstract: R.summary) }
    @OptionGroup var model: Model
    @OptionGroup var data: ImageDataOptions<R>
    @OptionGroup var optimizer: OptimizerOptions<R>
    @OptionGroup var schedule: ScheduleOptions<R>
    @OptionGroup var training: EpochOptions<R>
    @OptionGroup var session: RunOptions<R>

    var config: RunConfig {
        RunConfig(model: model.config.erased, data: data.config(patience: training.patience), optimizer: optimizer, schedule: schedule,
                  training: training.config(l1: optimizer.l1, seed: session.seed, threads: session.threads), session: session)
    }
    var length: (epochs: Int?, steps: Int?) { (training.epochs, nil) }
}

/// `ember train mlp`.
typealias TrainMLP = TrainClassifier<MLPRecipe, MLPOptions>
/// `ember train cnn`.
typealias TrainCNN = TrainClassifier<CNNRecipe, CNNOptions>

/// `ember train perceptron`: Rosenblatt's rule, which has a rate but no optimizer.
struct TrainPerceptron: TrainCommand {
    static let configuration = CommandConfiguration(
        commandName: PerceptronRecipe.name, abstract: PerceptronRecipe.summary)
    @OptionGroup var model: PerceptronOptions
    @OptionGroup var data: ImageDataOptions<PerceptronRecipe>
    @Option(help: "The perceptron rule's learning rate.") var lr: Double = PerceptronRecipe.optimizer.lr
    @Option(help: "Epochs to train at most (default: \(PerceptronRecipe.training.epochs ?? 0); with --resume, the new total).")
    var epochs: Int?
    @OptionGroup var session: RunOptions<PerceptronRecipe>

    var config: RunConfig {
        var optimizer = PerceptronRecipe.optimizer, training = PerceptronRecipe.training
        optimizer.lr = lr
        (training.epochs, training.seed, training.threads) = (epochs ?? training.epochs, session.seed, session.threads)
        return RunConfig(model: .perceptron(model.config), data: data.config(patience: nil), optimizer: optimizer,
                         schedule: PerceptronRecipe.schedule, training: training, logging: session.logging.config)
    }
    var length: (epochs: Int?, steps: Int?) { (epochs, nil) }
}

/// `ember train charlm`, `gpt` and `bert`: a model of a text, trained on random windows
/// for a number of steps, its model's flags (and window) from `Model`.
struct TrainTextModel<R: Recipe, Model: TextModelOptions>: TrainCommand where Model.Config == R.Model {
    static var configuration: CommandConfiguration { CommandConfiguration(commandName: R.name, abstract: R.summary) }
    @OptionGroup var model: Model
    @OptionGroup var corpus: CorpusOptions<R>
    @OptionGroup var optimizer: OptimizerOptions<R>
    @OptionGroup var schedule: ScheduleOptions<R>
    @OptionGroup var training: StepOptions<R>
    @OptionGroup var session: RunOptions<R>

    static var flags: [String: String] { Model.flags }

    var config: RunConfig {
        RunConfig(model: model.config.erased, data: .text(corpus: corpus.corpus, window: model.window, maskProb: model.maskProb),
                  optimizer: optimizer, schedule: schedule,
                  training: training.config(l1: optimizer.l1, seed: session.seed, threads: session.threads), session: session)
    }
    var length: (epochs: Int?, steps: Int?) { (nil, training.steps) }
}

/// `ember train charlm`.
typealias TrainCharLM = TrainTextModel<CharLMRecipe, CharRNNOptions>
/// `ember train gpt`.
typealias TrainGPT = TrainTextModel<GPTRecipe, GPTOptions>
/// `ember train bert`.
typealias TrainBERT = TrainTextModel<BERTRecipe, BERTOptions>

/// `ember train series`.
struct TrainSeries: TrainCommand {
    static let configuration = CommandConfiguration(
        commandName: SeriesRecipe.name, abstract: SeriesRecipe.summary)
    @OptionGroup var model: SeriesOptions
    @OptionGroup var data: SeriesDataOptions
    @OptionGroup var optimizer: OptimizerOptions<SeriesRecipe>
    @OptionGroup var schedule: ScheduleOptions<SeriesRecipe>
    @OptionGroup var training: EpochOptions<SeriesRecipe>
    @OptionGroup var session: RunOptions<SeriesRecipe>

    var config: RunConfig {
        RunConfig(model: .series(model.config), data: data.config, optimizer: optimizer, schedule: schedule,
                  training: training.config(l1: optimizer.l1, seed: session.seed, threads: session.threads), session: session)
    }
    var length: (epochs: Int?, steps: Int?) { (training.epochs, nil) }
}

/// `ember train speech-digits`.
struct TrainSpeechDigits: TrainCommand {
    static let configuration = CommandConfiguration(
        commandName: SpeechDigitsRecipe.name, abstract: SpeechDigitsRecipe.summary)
    @OptionGroup var model: RecognizerOptions
    @OptionGroup var data: SpeechDataOptions
    @OptionGroup var optimizer: OptimizerOptions<SpeechDigitsRecipe>
    @OptionGroup var schedule: ScheduleOptions<SpeechDigitsRecipe>
    @OptionGroup var training: EpochOptions<SpeechDigitsRecipe>
    @OptionGroup var session: RunOptions<SpeechDigitsRecipe>

    var config: RunConfig {
        RunConfig(model: .recognizer(model.config), data: data.config, optimizer: optimizer, schedule: schedule,
                  training: training.config(l1: optimizer.l1, seed: session.seed, threads: session.threads), session: session)
    }
    var length: (epochs: Int?, steps: Int?) { (training.epochs, nil) }
}

/// `ember train speech-tts`.
struct TrainSpeechTTS: TrainCommand {
    static let configuration = CommandConfiguration(commandName: SpeechTTSRecipe.name, abstract: SpeechTTSRecipe.summary)
    @OptionGroup var model: SynthesizerOptions
    @Option(help: "Folder of the corpus (`ember data speech-tts` writes it).") var data: String = SpeechTTSRecipe.directory
    @OptionGroup var optimizer: OptimizerOptions<SpeechTTSRecipe>
    @OptionGroup var schedule: ScheduleOptions<SpeechTTSRecipe>
    @OptionGroup var training: EpochOptions<SpeechTTSRecipe>
    @OptionGroup var session: RunOptions<SpeechTTSRecipe>

    var config: RunConfig {
        RunConfig(model: .synthesizer(model.config), data: .phonemes(directory: data), optimizer: optimizer, schedule: schedule,
                  training: training.config(l1: optimizer.l1, seed: session.seed, threads: session.threads), session: session)
    }
    var length: (epochs: Int?, steps: Int?) { (training.epochs, nil) }
}

/// `ember train --resume DIR`: continues any run from its checkpoint, whatever its model.
struct ResumeRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume", abstract: "Continue a run from its checkpoint (what `ember train --resume DIR` runs).")
    @Option(help: "The run directory to continue.") var resume: String?
    @Option(help: "Epoch-counted runs: the new total of epochs.") var epochs: Int?
    @Option(help: "Step-counted runs: the new total of steps.") var steps: Int?
    @OptionGroup var logging: LogOptions
    @OptionGroup var parallel: DistributedOptions

    func validate() throws {
        guard resume != nil else {
            let names = Train.configuration.subcommands.compactMap { $0.configuration.commandName }.filter { $0 != "resume" }
            throw ValidationError("name a model to train: \(names.joined(separator: ", ")) (or pass --resume DIR)")
        }
        if let epochs, epochs <= 0 { throw ValidationError("--epochs must be positive") }
        if let steps, steps <= 0 { throw ValidationError("--steps must be positive") }
    }

    func run() throws {
        try reportingErrors {
            let parallel = try parallel.start()
            try DataParallel.run(parallel) {
                try TrainingRun.resume(resume ?? "", kind: nil, epochs: epochs, steps: steps, logging: logging.config, parallel: parallel)
            }
        }
    }
}
