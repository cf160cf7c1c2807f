import ArgumentParser
import Dispatch
import Ember
import EmberData
import EmberModels
import EmberNN
import EmberTrain
import Foundation

/// The options of a forecasting run; its `config.json`.
struct SeriesConfig: Codable {
    var model = "series"
    var arch: String
    var hidden: Int
    var layers: Int
    var window: Int
    var horizon: Int
    var epochs: Int
    var batchSize: Int
    var lr: Double
    var clip: Double
    var patience: Int?
    var points: Int
    var noise: Double
    var csv: String?
    var seed: UInt64
    var threads: Int
}

/// Final figures of a forecasting run; its `summary.json`. Errors are in the series'
/// own units, on the test part, for the model and for the naive last-value forecast.
struct SeriesSummary: Codable {
    var testRmse: Double
    var testMae: Double
    var naiveRmse: Double
    var naiveMae: Double
    var testWindows: Int
    var valLoss: Double?
    var bestValLoss: Double?
    var epochs: Int
    var steps: Int
    var trainSamplesPerSec: Double
    var wallS: Double
}

/// `ember train series`: an LSTM or GRU forecasting the next values of a sequence —
/// by default a noisy sum of two sines on a trend, or the numbers of `--csv FILE` —
/// scored against the naive forecast that repeats the last value. The series is split
/// in time: the first 70% trains, the next 15% validates, the last 15% tests.
struct TrainSeries: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "series", abstract: "Train a recurrent forecaster on a time series and compare it with the last-value forecast.")

    @Option(help: "Recurrent cell: lstm or gru.") var arch: String = "lstm"
    @Option(help: "Hidden state size.") var hidden: Int = 64
    @Option(help: "Stacked recurrent layers.") var layers: Int = 1
    @Option(help: "Past values each forecast reads.") var window: Int = 48
    @Option(help: "Future values each forecast predicts.") var horizon: Int = 1
    @Option(help: "Epochs over the training windows.") var epochs: Int = 15
    @Option(help: "Windows per batch.") var batchSize: Int = 64
    @Option(help: "Adam learning rate.") var lr: Double = 2e-3
    @Option(help: "Clip the gradients' global norm to this (0: no clipping).") var clip: Double = 1
    @Option(help: "Stop after this many epochs without a better validation loss.") var patience: Int?
    @Option(help: "Length of the synthetic series.") var points: Int = 4000
    @Option(help: "Standard deviation of the synthetic series' noise.") var noise: Double = 0.2
    @Option(help: "Forecast this file's numbers instead (one per line, or the last field of CSV lines).") var csv: String?
    @Option(help: "Random seed (also of the synthetic noise).") var seed: UInt64 = 0
    @Option(help: "Threads for Ember and OpenBLAS.") var threads: Int = 2
    @Option(help: "Run directory to create (default: runs/series-ARCH-TIME).") var out: String?
    @OptionGroup var logging: LogOptions

    func validate() throws {
        guard ["lstm", "gru"].contains(arch) else { throw ValidationError("--arch must be lstm or gru") }
        guard hidden > 0, layers > 0, window > 0, horizon > 0, epochs > 0, batchSize > 0 else {
            throw ValidationError("--hidden, --layers, --window, --horizon, --epochs and --batch-size must be positive")
        }
        guard lr > 0, lr.isFinite, clip >= 0 else { throw ValidationError("--lr must be positive and --clip non-negative") }
        if let patience, patience < 0 { throw ValidationError("--patience must be non-negative") }
        guard points > 0, noise >= 0 else { throw ValidationError("--points must be positive and --noise non-negative") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        try reportingErrors(train)
    }

    private func train() throws {
        let wallStart = DispatchTime.now()
        let run = try RunDirectory.vacant(out, defaultName: "series-\(arch)")
        let config = SeriesConfig(arch: arch, hidden: hidden, layers: layers, window: window, horizon: horizon, epochs: epochs,
                                  batchSize: batchSize, lr: lr, clip: clip, patience: patience, points: points, noise: noise,
                                  csv: csv, seed: seed, threads: threads)
        setNumThreads(threads)
        let values = try csv.map { try TimeSeries.read(path: $0) } ?? TimeSeries.sinesWithTrend(count: points, noise: noise, seed: seed)
        let (trainEnd, valEnd) = (values.count * 70 / 100, values.count * 85 / 100)
        // Each part forecasts its own values, reading the `window` values before them.
        let parts = [values[..<trainEnd], values[Swift.max(trainEnd - window, 0)..<valEnd], values[Swift.max(valEnd - window, 0)...]]
        guard parts.allSatisfy({ $0.count >= window + horizon + 1 }), trainEnd > window else {
            throw CLIError("\(csv ?? "the series") has \(values.count) values: too few for --window \(window) and --horizon \(horizon) in a 70/15/15 split")
        }
        let steps = zip(values[1..<trainEnd], values[..<(trainEnd - 1)]).map { $0 - $1 }
        let mean = steps.reduce(0, +) / Double(steps.count)
        let scale = Swift.max((steps.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(steps.count)).squareRoot(), 1e-12)
        let (trainSet, validationSet, testSet) = (ForecastWindows(Array(parts[0]), window: window, horizon: horizon, scale: scale),
                                                  ForecastWindows(Array(parts[1]), window: window, horizon: horizon, scale: scale),
                                                  ForecastWindows(Array(parts[2]), window: window, horizon: horizon, scale: scale))
        let loggers = try logging.callbacks(run, title: "series (\(arch)): \(run.url.lastPathComponent)")
        try run.create()
        try run.writeConfig(config)

        manualSeed(seed)
        let model = SeriesForecaster(cell: arch == "gru" ? .gru : .lstm, hidden: hidden, layers: layers, horizon: horizon)
        var callbacks: [any Callback] = [ProgressBar(), MetricsLog(url: run.metrics)]
        if let patience { callbacks.append(EarlyStopping(patience: patience)) }
        let metadata = ["model": "series", "format": "ember-series-1", "arch": arch, "hidden": String(hidden), "layers": String(layers),
                        "window": String(window), "horizon": String(horizon), "scale": String(scale)]
        callbacks.append(Checkpointing(directory: run.url, metadata: metadata))
        callbacks += loggers
        let trainer = Trainer(model: model, optimizer: Adam(parameters: model.parameters(), lr: lr),
                              train: DataLoader(trainSet, batchSize: batchSize, shuffle: true, seed: seed),
                              validation: DataLoader(validationSet, batchSize: 1000), epochs: epochs, callbacks: callbacks)
        trainer.loss = { mseLoss($0, $1) }
        trainer.clipNorm = clip > 0 ? clip : nil
        print("training a \(arch) forecaster (\(model.parameterCount) parameters) on \(trainSet.count) windows of \(values.count) values (\(csv ?? "noisy sines with a trend")); run directory \(run.url.path)")
        try trainer.fit()

        try model.loadStateDict(try readModelFile(run.model.path).tensors)
        let errors = Self.errors(model, testSet)
        let summary = SeriesSummary(
            testRmse: errors.model.rmse, testMae: errors.model.mae, naiveRmse: errors.naive.rmse, naiveMae: errors.naive.mae,
            testWindows: testSet.count, valLoss: trainer.history.last?.valLoss, bestValLoss: trainer.history.compactMap(\.valLoss).min(),
            epochs: trainer.epoch, steps: trainer.step,
            trainSamplesPerSec: Double(trainer.trainSamples) / Swift.max(trainer.trainSeconds, 1e-9),
            wallS: Double(DispatchTime.now().uptimeNanoseconds - wallStart.uptimeNanoseconds) / 1e9)
        try run.write(summary, to: run.summary)
        print("test forecasts of the next \(horizon) value(s) from \(testSet.count) windows (best weights):")
        print("                   RMSE       MAE")
        for (name, rmse, mae) in [(arch, summary.testRmse, summary.testMae), ("last value", summary.naiveRmse, summary.naiveMae)] {
            print("  " + name.padding(toLength: 12, withPad: " ", startingAt: 0) + String(format: "%9.4f %9.4f", rmse, mae))
        }
        print(String(format: "the %@ forecaster's RMSE is %.0f%% of the last-value forecast's; saved in %@",
                     arch, 100 * summary.testRmse / summary.naiveRmse, run.url.path))
    }

    /// Root-mean-square and mean absolute errors over every forecast value of `set`, in
    /// the series' units, for `model` and for repeating each window's last value.
    static func errors(_ model: SeriesForecaster, _ set: ForecastWindows) -> (model: (rmse: Double, mae: Double), naive: (rmse: Double, mae: Double)) {
        model.eval()
        var squared = 0.0, absolute = 0.0, naiveSquared = 0.0, naiveAbsolute = 0.0, n = 0
        withNoGrad {
            for start in stride(from: 0, to: set.count, by: 1000) {
                let indices = Array(start..<Swift.min(start + 1000, set.count))
                let predicted = model(set.batch(indices).inputs).doubles
                for (row, i) in indices.enumerated() {
                    for (k, truth) in set.future(i).enumerated() {
                        let guess = set.anchor(i) + predicted[row * set.horizon + k] * set.scale
                        squared += (guess - truth) * (guess - truth)
                        absolute += abs(guess - truth)
                        naiveSquared += (set.anchor(i) - truth) * (set.anchor(i) - truth)
                        naiveAbsolute += abs(set.anchor(i) - truth)
                        n += 1
                    }
                }
            }
        }
        let count = Double(n)
        return (model: (rmse: (squared / count).squareRoot(), mae: absolute / count),
                naive: (rmse: (naiveSquared / count).squareRoot(), mae: naiveAbsolute / count))
    }
}
