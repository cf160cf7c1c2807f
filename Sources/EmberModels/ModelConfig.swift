import Ember
import EmberNN

/// The kinds of model Ember builds from a configuration, by the names model files and
/// `config.json` use.
public enum ModelKind: String, ConfigChoice {
    case mlp, cnn, perceptron, charlm, gpt, bert, series, recognizer, synthesizer
}

/// A model's hyper-parameters, each with its default written once (in the config's
/// initialiser): the config builds the model, and model files and `config.json` store
/// it as JSON, so a file alone rebuilds what wrote it (burn's `Config`, nanoGPT's
/// `GPTConfig`).
public protocol ModelConfig: Codable, Equatable, Sendable {
    /// What the config builds.
    associatedtype Model: Layer
    /// The kind, as files name it.
    static var kind: ModelKind { get }
    /// Throws a `ConfigError` naming the first value that cannot build a model (a
    /// config read from a file is checked before it is built).
    func validate() throws
    /// Adds the tensors its model's state dict holds, by name and shape, to `layout`
    /// (the config must be valid): see `stateLayout(within:)`.
    func describeState(_ layout: inout StateLayout) throws
    /// The model, freshly initialised (the config must be valid).
    func build() -> Model
    /// This config among the others.
    var erased: AnyModelConfig { get }
}

/// Checks shared by the configs' `validate()`, each error naming its key.
enum Check {
    /// `value` > 0.
    static func positive(_ value: Int, _ key: String) throws {
        guard value > 0 else { throw ConfigError(keys: [key], "\(key) must be positive, got \(value)") }
    }

    /// A dropout probability in [0, 1) (fails on NaN).
    static func probability(_ value: Double, _ key: String) throws {
        guard value >= 0 && value < 1 else { throw ConfigError(keys: [key], "\(key) must be in [0, 1), got \(value)") }
    }

    /// A width that splits into heads.
    static func heads(_ width: Int, _ widthKey: String, _ heads: Int, _ headsKey: String) throws {
        try positive(heads, headsKey)
        guard width % heads == 0 else {
            throw ConfigError(keys: [widthKey, headsKey], "\(widthKey) \(width) must be a multiple of \(headsKey) \(heads)")
        }
    }
}

/// Any of Ember's model configs, as a file stores it: `{"kind": "gpt", …fields}`.
public enum AnyModelConfig: Codable, Equatable, Sendable {
    case mlp(MLPConfig), cnn(CNNConfig), perceptron(PerceptronConfig), charlm(CharRNNConfig), gpt(GPTConfig)
    case bert(BERTConfig), series(SeriesForecasterConfig), recognizer(DigitRecognizerConfig)
    case synthesizer(SynthesizerConfig)

    /// The config inside.
    public var config: any ModelConfig {
        switch self {
        case let .mlp(c): c
        case let .cnn(c): c
        case let .perceptron(c): c
        case let .charlm(c): c
        case let .gpt(c): c
        case let .bert(c): c
        case let .series(c): c
        case let .recognizer(c): c
        case let .synthesizer(c): c
        }
    }

    /// The kind of model.
    public var kind: ModelKind { type(of: config).kind }

    /// The model, freshly initialised.
    public func build() -> any Layer { config.build() }

    /// Throws naming the first value that cannot build a model.
    public func validate() throws { try config.validate() }

    private enum Keys: String, CodingKey { case kind }

    public init(from decoder: Decoder) throws {
        switch try decoder.container(keyedBy: Keys.self).decode(ModelKind.self, forKey: .kind) {
        case .mlp: self = .mlp(try MLPConfig(from: decoder))
        case .cnn: self = .cnn(try CNNConfig(from: decoder))
        case .perceptron: self = .perceptron(try PerceptronConfig(from: decoder))
        case .charlm: self = .charlm(try CharRNNConfig(from: decoder))
        case .gpt: self = .gpt(try GPTConfig(from: decoder))
        case .bert: self = .bert(try BERTConfig(from: decoder))
        case .series: self = .series(try SeriesForecasterConfig(from: decoder))
        case .recognizer: self = .recognizer(try DigitRecognizerConfig(from: decoder))
        case .synthesizer: self = .synthesizer(try SynthesizerConfig(from: decoder))
        }
    }

    /// The config's own fields beside its `kind`.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(kind, forKey: .kind)
        try config.encode(to: encoder)
    }
}
