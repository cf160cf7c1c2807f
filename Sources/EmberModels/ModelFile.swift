import Ember
import EmberData
import EmberNN
import Foundation

/// A model file: safetensors weights (PyTorch's parameter names) whose `__metadata__`
/// describes the model, so the file alone rebuilds it (Hugging Face's `config.json` and
/// `from_pretrained`, in one file):
///
///     format   "ember-model-2"
///     model    the kind, "gpt"
///     config   the model's config as JSON: {"kind": "gpt", "n_layer": 4, "n_head": 4, …}
///     vocab    text models: the characters, as a JSON array of strings
///
/// Files of Ember's first formats (`ember-classifier-1` and its siblings: one metadata
/// string per hyper-parameter), and PyTorch exports that carry those keys, are read
/// through `LegacyModelMetadata`; a nanoGPT state dict without Ember's description
/// through `GPTConfig(inferringFrom:)`. A training checkpoint (`checkpoint.safetensors`,
/// whose model weights are named `model.…` beside the optimizer's and the trainer's
/// state) reads as the model it holds.
public struct ModelFile {
    /// Where it was read from.
    public let url: URL
    /// The weights, by name.
    public let tensors: [String: Tensor]
    /// The whole `__metadata__`.
    public let metadata: [String: String]
    /// The model the file describes (checked: it builds).
    public let config: AnyModelConfig
    /// The characters of a text model (charlm, gpt, bert), by index; nil for the others.
    public let vocabulary: CharVocabulary?

    /// The format this version writes.
    public static let format = "ember-model-2"

    /// The `__metadata__` that describes `config` and, for a text model, its characters;
    /// throws if the characters do not read back as they are (so a run cannot train for
    /// hours and then write a file that no reader accepts).
    public static func metadata(_ config: AnyModelConfig, vocabulary: CharVocabulary? = nil) throws -> [String: String] {
        var m = ["format": format, "model": config.kind.rawValue, "config": try ConfigJSON.string(config)]
        if let vocabulary {
            let json = try ConfigJSON.string(vocabulary.characters.map(String.init))
            guard let readBack = try? characters(json: json), readBack.characters.map(String.init) == vocabulary.characters.map(String.init) else {
                throw ConfigError("the vocabulary of \(vocabulary.count) characters does not read back as written")
            }
            m["vocab"] = json
        }
        return m
    }

    /// Reads the file at `url` and what its metadata describes; a file without Ember's
    /// description may be a nanoGPT state dict, whose shape `gpt` completes (see
    /// `GPTConfig(inferringFrom:metadata:heads:)`). Throws naming what is missing or wrong.
    public init(contentsOf url: URL, gpt: NanoGPTHints = NanoGPTHints()) throws {
        try self.init(try SafeTensors.read(url), url: url, gpt: gpt)
    }

    /// The model file whose bytes are `data`, its errors naming `url` as if read from
    /// it (but for a safetensors error, which names no file).
    public init(_ data: Data, url: URL, gpt: NanoGPTHints = NanoGPTHints()) throws {
        try self.init(try SafeTensors.decode(data), url: url, gpt: gpt)
    }

    private init(_ contents: (tensors: [(name: String, tensor: Tensor)], metadata: [String: String]), url: URL, gpt: NanoGPTHints) throws {
        let (named, metadata) = contents
        var tensors: [String: Tensor] = [:]
        for (name, tensor) in named { tensors[name] = tensor }
        if tensors["trainer.step"] != nil {
            let prefix = "model."
            tensors = Dictionary(uniqueKeysWithValues: named.filter { $0.name.hasPrefix(prefix) }.map { (String($0.name.dropFirst(prefix.count)), $0.tensor) })
        }
        self.url = url
        self.tensors = tensors
        self.metadata = metadata
        do {
            (config, vocabulary) = try Self.describe(metadata, tensors: tensors, gpt: gpt)
            try config.validate()
            try Self.check(tensors, fit: config)
            try Self.check(vocabulary, fits: config)
        } catch let error as ConfigError {
            throw ConfigError("\(url.path): \(error.description)")
        }
    }

    /// The model, its weights loaded (every name and shape must match), in eval mode.
    public func model() throws -> any Layer {
        let model = config.build()
        try load(into: model)
        return model
    }

    /// The model and its config, when the file holds a `C` model; throws otherwise.
    public func model<C: ModelConfig>(as _: C.Type) throws -> (model: C.Model, config: C) {
        guard let typed = config.config as? C else {
            throw ConfigError("\(url.path) holds a \(config.kind.rawValue) model, not a \(C.kind.rawValue) one")
        }
        let model = typed.build()
        try load(into: model)
        return (model, typed)
    }

    private func load(into model: any Layer) throws {
        do {
            try model.loadStateDict(tensors)
        } catch {
            throw ConfigError("\(url.path) does not fit the \(config.kind.rawValue) model its metadata describes: \(error)")
        }
        model.eval()
    }

    /// The config and vocabulary `metadata` describes, in whichever format.
    private static func describe(_ m: [String: String], tensors: [String: Tensor], gpt: NanoGPTHints) throws
        -> (AnyModelConfig, CharVocabulary?) {
        guard let json = m["config"] else {
            if m["model"] != nil { return try LegacyModelMetadata.read(m) }
            return try GPTConfig.inferringFrom(tensors, metadata: m, hints: gpt)
        }
        guard m["format"] == format else {
            throw ConfigError("metadata 'format' = '\(m["format"] ?? "")' is not \(format), the format that stores a 'config'")
        }
        let config: AnyModelConfig
        do {
            config = try ConfigJSON.decode(AnyModelConfig.self, from: Data(json.utf8))
        } catch let error as ConfigError {
            throw ConfigError("metadata 'config': \(error.description)")
        }
        guard m["model"] == config.kind.rawValue else {
            throw ConfigError("metadata 'model' = '\(m["model"] ?? "")' but its config is a \(config.kind.rawValue)")
        }
        return (config, try m["vocab"].map(characters(json:)))
    }

    /// The characters of a `vocab` entry (or a file of one): a JSON array of
    /// one-character strings.
    public static func characters(json: String) throws -> CharVocabulary {
        guard let strings = try? ConfigJSON.decoder().decode([String].self, from: Data(json.utf8)) else {
            throw ConfigError("metadata 'vocab' is not a JSON array of strings")
        }
        let characters = strings.compactMap { $0.count == 1 ? $0.first : nil }
        guard characters.count == strings.count, !characters.isEmpty, Set(characters).count == characters.count else {
            throw ConfigError("metadata 'vocab' must list distinct single characters")
        }
        return CharVocabulary(characters: characters)
    }

    /// The tensors must be exactly those `config`'s model holds, with its shapes, and
    /// finite: checked against the config's `StateLayout`, which may describe little
    /// more than the file holds, before any model is built (a config of 10⁶ layers stops
    /// after a few dozen tensors more than the file has).
    private static func check(_ tensors: [String: Tensor], fit config: AnyModelConfig) throws {
        let elements = tensors.values.reduce(0) { $0 + $1.numel }
        let layout = try config.stateLayout(within: .file(tensors: tensors.count, elements: elements))
        var problems = StateDictError()
        for entry in layout.entries {
            guard let tensor = tensors[entry.name] else {
                if !entry.alias { problems.missing.append(entry.name) }
                continue
            }
            if tensor.shape != entry.shape { problems.mismatched.append((entry.name, entry.shape, tensor.shape)) }
        }
        let names = Set(layout.entries.map(\.name))
        problems.unexpected = tensors.keys.filter { !names.contains($0) }.sorted()
        guard problems.isEmpty else {
            throw ConfigError("the tensors do not fit the \(config.kind.rawValue) model its metadata describes: \(problems)")
        }
        let spoiled = tensors.filter { !$0.value.allFinite }.keys.sorted()
        guard spoiled.isEmpty else {
            throw ConfigError("its weights hold NaN or infinite values (\(spoiled.prefix(3).joined(separator: ", "))\(spoiled.count > 3 ? " and \(spoiled.count - 3) more" : "")): the run that wrote it went wrong")
        }
    }

    /// Text models need their characters, as many as their config's tokens (a BERT has
    /// one more, its mask token).
    private static func check(_ vocabulary: CharVocabulary?, fits config: AnyModelConfig) throws {
        let tokens: Int
        switch config {
        case let .charlm(c): tokens = c.vocabSize
        case let .gpt(c): tokens = c.vocabSize
        case let .bert(c): tokens = c.vocabSize - 1
        default: return
        }
        guard let vocabulary else { throw ConfigError("a \(config.kind.rawValue) model file needs its characters (metadata 'vocab')") }
        guard vocabulary.count == tokens else {
            throw ConfigError("metadata 'vocab' has \(vocabulary.count) characters but the model reads \(tokens)")
        }
    }
}

/// A model file's model and config, read from `url`; the weights must fit it exactly.
public func loadModel(from url: URL) throws -> (model: any Layer, config: AnyModelConfig) {
    let file = try ModelFile(contentsOf: url)
    return (try file.model(), file.config)
}

/// A model file's `C` model and its config; throws if the file holds another kind.
public func loadModel<C: ModelConfig>(from url: URL, as type: C.Type) throws -> (model: C.Model, config: C) {
    try ModelFile(contentsOf: url).model(as: type)
}
