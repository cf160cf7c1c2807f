import ArgumentParser
import EmberTrain

/// The logging options every training command shares: the run directory always gets
/// `steps.jsonl` (training loss every few steps) and `curves.svg`; TensorBoard event
/// files on request.
struct LogOptions: ParsableArguments {
    @Option(help: "Also write TensorBoard event files into this folder (view with: tensorboard --logdir DIR).")
    var tensorboard: String?
    @Flag(help: "With --tensorboard, log the distribution of every parameter after each epoch.") var histograms = false
    @Option(help: "Steps between training-loss points in steps.jsonl, curves.svg and TensorBoard.")
    var logEvery: Int = LoggingConfig().logEvery

    /// The logging these options ask for.
    var config: LoggingConfig { LoggingConfig(tensorboard: tensorboard, histograms: histograms, logEvery: logEvery) }
}
