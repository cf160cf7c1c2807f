import ArgumentParser
import Ember

/// The `ember` command-line tool.
@main
struct EmberCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ember",
        abstract: "Ember: deep learning in Swift on the CPU.",
        subcommands: [Train.self, Evaluate.self, Predict.self, Listen.self, Speak.self, Generate.self, Fill.self, Plot.self, SpectrogramCommand.self, DataCommand.self, Demo.self, Bench.self, Info.self]
    )
}
