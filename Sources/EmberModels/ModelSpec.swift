import Ember
import EmberNN

/// Which Fashion-MNIST classifier to build and with what hyper-parameters; stored as
/// a safetensors file's `__metadata__`, so the file alone is enough to rebuild the
/// model that reads it.
public struct ModelSpec: Equatable, Sendable {
    /// The architectures.
    public enum Kind: String, Sendable, CaseIterable {
        case mlp, cnn, perceptron
    }

    /// The architecture.
    public var kind: Kind
    /// Hidden sizes of an MLP.
    public var hidden: [Int] = [256, 128]
    /// Dropout probability (MLP between hidden layers, CNN before the last layer).
    public var dropout: Double = 0
    /// Whether the CNN normalises its convolutions' outputs.
    public var batchNorm: Bool = false
    /// Number of classes (the perceptron has one output).
    public var classes: Int = 10
    /// The perceptron's class labelled 1.
    public var positiveClass: Int = 1
    /// The perceptron's class labelled 0.
    public var negativeClass: Int = 0
    /// How the MLP or CNN standardises its input (none: it reads the pixels as they are).
    public var normalization: InputNormalization?

    /// The default hyper-parameters of `kind`.
    public init(kind: Kind) { self.kind = kind }

    /// The model, freshly initialised.
    public func build() -> any Layer {
        switch kind {
        case .mlp: return MLP(inFeatures: 784, hidden: hidden, classes: classes, dropout: dropout, normalization: normalization)
        case .cnn: return CNN(classes: classes, dropout: dropout, batchNorm: batchNorm, normalization: normalization)
        case .perceptron: return Perceptron(inFeatures: 784)
        }
    }

    /// The spec as `__metadata__` strings.
    public var metadata: [String: String] {
        var m = ["model": kind.rawValue, "format": "ember-classifier-1", "classes": String(classes)]
        switch kind {
        case .mlp:
            m["hidden"] = hidden.map(String.init).joined(separator: ",")
            m["dropout"] = String(dropout)
        case .cnn:
            m["dropout"] = String(dropout)
            m["batch_norm"] = String(batchNorm)
        case .perceptron:
            m["positive_class"] = String(positiveClass)
            m["negative_class"] = String(negativeClass)
        }
        if let normalization, kind != .perceptron {
            m["input_mean"] = String(normalization.mean)
            m["input_std"] = String(normalization.std)
        }
        return m
    }

    /// The spec a file's `__metadata__` describes; throws naming what is missing or wrong.
    public init(metadata m: [String: String]) throws {
        guard let name = m["model"] else { throw ModelSpecError("metadata does not name a model (no 'model' entry)") }
        guard let kind = Kind(rawValue: name) else {
            throw ModelSpecError("unknown model '\(name)' (expected one of \(Kind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        self.init(kind: kind)
        func int(_ key: String) throws -> Int? {
            guard let v = m[key] else { return nil }
            guard let n = Int(v), n >= 0 else { throw ModelSpecError("metadata '\(key)' = '\(v)' is not a non-negative integer") }
            return n
        }
        if let c = try int("classes") { classes = c }
        if let h = m["hidden"] {
            let sizes = h.split(separator: ",").map { Int($0) }
            guard !sizes.isEmpty, sizes.allSatisfy({ ($0 ?? 0) > 0 }) else { throw ModelSpecError("metadata 'hidden' = '\(h)' is not a list of sizes") }
            hidden = sizes.map { $0! }
        }
        if let d = m["dropout"] {
            guard let p = Double(d), p >= 0, p < 1 else { throw ModelSpecError("metadata 'dropout' = '\(d)' is not in [0, 1)") }
            dropout = p
        }
        if let b = m["batch_norm"] {
            guard let flag = Bool(b) else { throw ModelSpecError("metadata 'batch_norm' = '\(b)' is not true or false") }
            batchNorm = flag
        }
        if let p = try int("positive_class") { positiveClass = p }
        if let n = try int("negative_class") { negativeClass = n }
        switch (m["input_mean"], m["input_std"]) {
        case (nil, nil): break
        case let (mean?, std?):
            guard let mu = Double(mean), mu.isFinite, let sigma = Double(std), sigma.isFinite, sigma > 0 else {
                throw ModelSpecError("metadata 'input_mean' = '\(mean)' and 'input_std' = '\(std)' must be a finite mean and a positive standard deviation")
            }
            normalization = InputNormalization(mean: mu, std: sigma)
        default:
            throw ModelSpecError("metadata has only one of 'input_mean' and 'input_std'; a normalisation needs both")
        }
    }
}

/// Metadata that does not describe a model Ember can build.
public struct ModelSpecError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// Reading the values of a model file's `__metadata__`, each error naming the key.
extension Dictionary where Key == String, Value == String {
    /// The positive integer under `key`.
    func positiveInt(_ key: String) throws -> Int {
        guard let v = self[key], let n = Int(v), n > 0 else {
            throw ModelSpecError("metadata '\(key)' = '\(self[key] ?? "")' is not a positive integer")
        }
        return n
    }

    /// The number in [0, 1) under `key` (a dropout probability).
    func probability(_ key: String) throws -> Double {
        guard let v = self[key], let p = Double(v), p >= 0, p < 1 else {
            throw ModelSpecError("metadata '\(key)' = '\(self[key] ?? "")' is not in [0, 1)")
        }
        return p
    }

    /// The `true` or `false` under `key`.
    func flag(_ key: String) throws -> Bool {
        guard let v = self[key], let b = Bool(v) else {
            throw ModelSpecError("metadata '\(key)' = '\(self[key] ?? "")' is not true or false")
        }
        return b
    }
}
