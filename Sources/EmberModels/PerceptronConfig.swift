import Ember
import EmberNN

/// Rosenblatt's perceptron on two classes of a data set: a 784-input neuron (one
/// Fashion-MNIST image) by default, telling `positiveClass` (1) from `negativeClass` (0).
public struct PerceptronConfig: ModelConfig {
    public static let kind = ModelKind.perceptron
    /// Input features (after flattening).
    public var inFeatures: Int
    /// The data set's class the neuron answers 1 for.
    public var positiveClass: Int
    /// The class it answers 0 for.
    public var negativeClass: Int

    /// A configuration; the defaults are the recipe's (T-shirt/top 0 against Trouser 1).
    public init(inFeatures: Int = 784, positiveClass: Int = 1, negativeClass: Int = 0) {
        self.inFeatures = inFeatures
        self.positiveClass = positiveClass
        self.negativeClass = negativeClass
    }

    public func validate() throws {
        try Check.positive(inFeatures, "in_features")
        guard positiveClass >= 0, negativeClass >= 0, positiveClass != negativeClass else {
            throw ConfigError(keys: ["positive_class", "negative_class"], "positive_class \(positiveClass) and negative_class \(negativeClass) must be two different labels")
        }
    }

    public func describeState(_ layout: inout StateLayout) throws {
        try layout.add("weight", [inFeatures])
        try layout.add("bias", [])
    }

    public func build() -> Perceptron { Perceptron(inFeatures: inFeatures) }

    public var erased: AnyModelConfig { .perceptron(self) }
}
