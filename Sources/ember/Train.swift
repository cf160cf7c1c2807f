import ArgumentParser

/// `ember train`: the kinds of model Ember trains, each into a run directory.
/// `ember train mlp|cnn|perceptron` goes to the Fashion-MNIST classifiers.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a model into a run directory.",
        subcommands: [TrainClassifier.self, TrainCharLM.self, TrainGPT.self, TrainBERT.self, TrainSeries.self],
        defaultSubcommand: TrainClassifier.self)
}
