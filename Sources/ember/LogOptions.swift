import ArgumentParser
import EmberTrain
import Foundation

/// The logging options every training command shares: the run directory always gets
/// `steps.jsonl` (training loss every few steps) and `curves.svg`; TensorBoard event
/// files on request.
struct LogOptions: ParsableArguments {
    @Option(help: "Also write TensorBoard event files into this folder (view with: tensorboard --logdir DIR).")
    var tensorboard: String?
    @Flag(help: "With --tensorboard, log the distribution of every parameter after each epoch.") var histograms = false
    @Option(help: "Steps between training-loss points in steps.jsonl, curves.svg and TensorBoard.") var logEvery: Int = 10

    func validate() throws {
        if histograms && tensorboard == nil { throw ValidationError("--histograms needs --tensorboard DIR") }
        guard logEvery > 0 else { throw ValidationError("--log-every must be positive") }
    }

    /// The callbacks that log `run` (after its metrics log), the chart titled `title`.
    func callbacks(_ run: RunDirectory, title: String) throws -> [any Callback] {
        var callbacks: [any Callback] = [StepLog(url: run.steps, every: logEvery), CurvesPlot(directory: run.url, title: title)]
        if let tensorboard {
            do {
                callbacks.append(try TensorBoardLogger(logDir: tensorboard, every: logEvery, histograms: histograms))
            } catch {
                throw CLIError("--tensorboard \(tensorboard): \(error)")
            }
        }
        return callbacks
    }
}
