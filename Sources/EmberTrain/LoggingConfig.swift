import EmberNN
import Foundation

/// What a run logs besides its metrics: the training loss every `logEvery` steps
/// (`steps.jsonl`, `curves.svg`) and, on request, TensorBoard event files.
public struct LoggingConfig: Codable, Equatable, Sendable {
    /// A folder for TensorBoard event files, if any.
    public var tensorboard: String?
    /// With TensorBoard: every parameter's distribution after each epoch.
    public var histograms: Bool
    /// Steps between training-loss points.
    public var logEvery: Int

    /// A configuration; a loss point every 10 steps and no TensorBoard by default.
    public init(tensorboard: String? = nil, histograms: Bool = false, logEvery: Int = 10) {
        self.tensorboard = tensorboard
        self.histograms = histograms
        self.logEvery = logEvery
    }

    /// Throws naming the first setting that cannot log.
    public func validate() throws {
        if histograms && tensorboard == nil { throw ConfigError(keys: ["histograms", "tensorboard"], "histograms need a tensorboard folder") }
        guard logEvery > 0 else { throw ConfigError(keys: ["log_every"], "log_every must be positive, got \(logEvery)") }
    }

    /// The callbacks that log the run in `directory`, its chart titled `title`; made
    /// before the run directory exists, so a bad TensorBoard folder leaves nothing behind.
    public func callbacks(directory: URL, title: String) throws -> [any Callback] {
        var callbacks: [any Callback] = [StepLog(url: directory.appendingPathComponent("steps.jsonl"), every: logEvery),
                                         CurvesPlot(directory: directory, title: title)]
        if let tensorboard {
            do {
                callbacks.append(try TensorBoardLogger(logDir: tensorboard, every: logEvery, histograms: histograms))
            } catch {
                throw ConfigError("--tensorboard \(tensorboard): \(error)")
            }
        }
        return callbacks
    }
}
