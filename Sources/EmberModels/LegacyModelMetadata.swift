import Ember
import EmberData
import EmberNN

/// Ember's first model-file formats, read once, here, into today's configs:
/// `ember-classifier-1` (mlp, cnn, perceptron), `ember-charlm-1`, `ember-gpt-1`,
/// `ember-bert-1` and `ember-series-1` stored each hyper-parameter as its own metadata
/// string (`hidden` = "256,128", `dropout` = "0.5", `vocabulary` = the characters as one
/// string). PyTorch state dicts exported with those keys (scripts/export_pytorch.py
/// --metadata model=cnn …) read the same way. A key the kind needs but the file lacks
/// takes the default the first format had.
enum LegacyModelMetadata {
    static func read(_ m: [String: String]) throws -> (AnyModelConfig, CharVocabulary?) {
        let name = m["model"] ?? ""
        guard let kind = ModelKind(rawValue: name) else { throw ConfigError("metadata 'model': \(ModelKind.unknown(name))") }
        switch kind {
        case .mlp:
            let config = MLPConfig(hidden: try m.sizes("hidden") ?? [256, 128], classes: try m.positive("classes") ?? 10,
                                   dropout: try m.probability("dropout") ?? 0, normalization: try normalization(m))
            return (.mlp(config), nil)
        case .cnn:
            let config = CNNConfig(classes: try m.positive("classes") ?? 10, dropout: try m.probability("dropout") ?? 0,
                                   batchNorm: try m.flag("batch_norm") ?? false, normalization: try normalization(m))
            return (.cnn(config), nil)
        case .perceptron:
            let config = PerceptronConfig(positiveClass: try m.natural("positive_class") ?? 1,
                                          negativeClass: try m.natural("negative_class") ?? 0)
            return (.perceptron(config), nil)
        case .charlm:
            let vocabulary = try characters(m)
            let arch = try m.choice("arch", RecurrentArch.self)
            let config = CharRNNConfig(arch: arch, vocabSize: vocabulary.count, embed: try m.required("embed"),
                                       hidden: try m.required("hidden"), layers: try m.required("layers"),
                                       dropout: try m.probability("dropout") ?? 0)
            return (.charlm(config), vocabulary)
        case .gpt:
            let vocabulary = try characters(m)
            let config = GPTConfig(vocabSize: vocabulary.count, blockSize: try m.required("context"), nLayer: try m.required("layers"),
                                   nHead: try m.required("heads"), nEmbd: try m.required("embed"),
                                   dropout: try m.probability("dropout") ?? 0, bias: try m.flag("bias") ?? true,
                                   tiedWeights: try m.flag("tied") ?? false)
            return (.gpt(config), vocabulary)
        case .bert:
            let vocabulary = try characters(m)
            let config = BERTConfig(vocabSize: vocabulary.count + 1, maxPositions: try m.required("context"),
                                    layers: try m.required("layers"), heads: try m.required("heads"), embed: try m.required("embed"),
                                    dropout: try m.probability("dropout") ?? 0.1)
            return (.bert(config), vocabulary)
        case .series:
            guard let scale = m["scale"].flatMap(Double.init) else { throw ConfigError("metadata 'scale' = '\(m["scale"] ?? "")' is not a number") }
            let config = SeriesForecasterConfig(arch: try m.choice("arch", RecurrentArch.self), hidden: try m.required("hidden"),
                                                layers: try m.required("layers"), window: try m.required("window"),
                                                horizon: try m.required("horizon"), scale: scale)
            return (.series(config), nil)
        case .recognizer, .synthesizer:
            throw ConfigError("metadata 'model' = '\(name)' is newer than the first formats: its files store the config as JSON")
        }
    }

    /// The input standardisation of an MLP or CNN file: both statistics or neither.
    private static func normalization(_ m: [String: String]) throws -> InputNormalization? {
        switch (m["input_mean"], m["input_std"]) {
        case (nil, nil): return nil
        case let (mean?, std?):
            guard let mu = Double(mean), mu.isFinite, let sigma = Double(std), sigma.isFinite, sigma > 0 else {
                throw ConfigError("metadata 'input_mean' = '\(mean)' and 'input_std' = '\(std)' must be a finite mean and a positive standard deviation")
            }
            return InputNormalization(mean: mu, std: sigma)
        default:
            throw ConfigError("metadata has only one of 'input_mean' and 'input_std'; a normalisation needs both")
        }
    }

    /// The characters stored as one string under `vocabulary`.
    private static func characters(_ m: [String: String]) throws -> CharVocabulary {
        guard let chars = m["vocabulary"], !chars.isEmpty, Set(chars).count == chars.count else {
            throw ConfigError("metadata 'vocabulary' is missing or repeats a character")
        }
        return CharVocabulary(characters: Array(chars))
    }
}

/// Reading the first formats' metadata strings, each error naming the key.
private extension Dictionary where Key == String, Value == String {
    /// The integer ≥ 0 under `key`, or nil if absent.
    func natural(_ key: String) throws -> Int? {
        guard let v = self[key] else { return nil }
        guard let n = Int(v), n >= 0 else { throw ConfigError("metadata '\(key)' = '\(v)' is not a non-negative integer") }
        return n
    }

    /// The integer > 0 under `key`, or nil if absent.
    func positive(_ key: String) throws -> Int? {
        guard let n = try natural(key) else { return nil }
        guard n > 0 else { throw ConfigError("metadata '\(key)' = '\(n)' is not a positive integer") }
        return n
    }

    /// The integer > 0 under `key`, which must be there.
    func required(_ key: String) throws -> Int {
        guard let n = try positive(key) else { throw ConfigError("metadata '\(key)' is missing") }
        return n
    }

    /// A comma-separated list of sizes under `key`, or nil if absent.
    func sizes(_ key: String) throws -> [Int]? {
        guard let v = self[key] else { return nil }
        let sizes = v.split(separator: ",").compactMap { Int($0) }.filter { $0 > 0 }
        guard !sizes.isEmpty, sizes.count == v.split(separator: ",", omittingEmptySubsequences: false).count else {
            throw ConfigError("metadata '\(key)' = '\(v)' is not a list of sizes")
        }
        return sizes
    }

    /// The number in [0, 1) under `key`, or nil if absent.
    func probability(_ key: String) throws -> Double? {
        guard let v = self[key] else { return nil }
        guard let p = Double(v), p >= 0, p < 1 else { throw ConfigError("metadata '\(key)' = '\(v)' is not in [0, 1)") }
        return p
    }

    /// `true` or `false` under `key`, or nil if absent.
    func flag(_ key: String) throws -> Bool? {
        guard let v = self[key] else { return nil }
        guard let b = Bool(v) else { throw ConfigError("metadata '\(key)' = '\(v)' is not true or false") }
        return b
    }

    /// One of `C`'s names under `key`.
    func choice<C: ConfigChoice>(_ key: String, _: C.Type) throws -> C {
        let v = self[key] ?? ""
        guard let value = C(rawValue: v) else { throw ConfigError("metadata '\(key)': \(C.unknown(v))") }
        return value
    }
}
