import Dispatch
import Ember
import EmberData
import EmberModels
import EmberNN
import EmberTrain

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
    /// Processes that trained together (data-parallel; 1 alone); the rates are all of theirs.
    var processes: Int
    var wallS: Double
}

/// Forecasting a series (series): the synthetic noisy sines or a CSV file's numbers,
/// split in time (the first 70% trains, the next 15% validates, the last 15% tests),
/// scored at the end against the forecast that repeats the last value.
struct SeriesForecasting: TrainingTask {
    let values: [Double]
    let source: String
    let forecaster: SeriesForecasterConfig
    let train: ForecastWindows, validation: ForecastWindows, test: ForecastWindows

    var vocabulary: CharVocabulary? { nil }

    /// Reads or makes the series; a new run's model gets the training part's scale.
    init(config: inout RunConfig, resuming: Bool) throws {
        guard case let .series(points, noise, csv) = config.data, case var .series(model) = config.model else {
            throw CLIError("a forecaster trains on a series")
        }
        values = try csv.map { try TimeSeries.read(path: $0) } ?? TimeSeries.sinesWithTrend(count: points, noise: noise, seed: config.training.seed)
        source = csv ?? "noisy sines with a trend"
        let (window, horizon) = (model.window, model.horizon)
        let (trainEnd, valEnd) = (values.count * 70 / 100, values.count * 85 / 100)
        // Each part forecasts its own values, reading the `window` values before them.
        let parts = [values[..<trainEnd], values[Swift.max(trainEnd - window, 0)..<valEnd], values[Swift.max(valEnd - window, 0)...]]
        guard parts.allSatisfy({ $0.count >= window + horizon + 1 }), trainEnd > window else {
            throw CLIError("\(csv ?? "the series") has \(values.count) values: too few for --window \(window) and --horizon \(horizon) in a 70/15/15 split")
        }
        if !resuming {
            let steps = zip(values[1..<trainEnd], values[..<(trainEnd - 1)]).map { $0 - $1 }
            let mean = steps.reduce(0, +) / Double(steps.count)
            let spread = (steps.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(steps.count)).squareRoot()
            guard spread.isFinite else {
                throw CLIError("\(csv ?? "the series"): its values are too large to scale (the spread of their steps is not a finite number)")
            }
            model.scale = Swift.max(spread, 1e-12)
            config.model = .series(model)
        }
        forecaster = model
        (train, validation, test) = (ForecastWindows(Array(parts[0]), window: window, horizon: horizon, scale: model.scale),
                                     ForecastWindows(Array(parts[1]), window: window, horizon: horizon, scale: model.scale),
                                     ForecastWindows(Array(parts[2]), window: window, horizon: horizon, scale: model.scale))
    }

    func totalSteps(_ training: TrainingConfig) -> Int {
        (train.count + training.batchSize - 1) / training.batchSize * (training.epochs ?? 0)
    }

    func trainer(_ model: any Layer, optimizer: any Optimizer, callbacks: [any Callback], training: TrainingConfig,
                 shard: DataLoader.Shard?) -> Trainer {
        let trainer = Trainer(model: model, optimizer: optimizer, train: trainingLoader(train, training, shard: shard),
                              validation: DataLoader(validation, batchSize: 1000), epochs: training.epochs ?? 0, callbacks: callbacks)
        trainer.loss = { mseLoss($0, $1) }
        return trainer
    }

    func banner(_ model: any Layer) -> String {
        "training a \(forecaster.arch.rawValue) forecaster (\(model.parameterCount) parameters) on \(train.count) windows of \(values.count) values (\(source))"
    }

    func finish(_ trainer: Trainer, run: RunDirectory, config: RunConfig, started: DispatchTime) throws {
        let (best, _) = try ModelFile(contentsOf: run.model).model(as: SeriesForecasterConfig.self)
        let errors = Self.errors(best, test)
        let summary = SeriesSummary(
            testRmse: errors.model.rmse, testMae: errors.model.mae, naiveRmse: errors.naive.rmse, naiveMae: errors.naive.mae,
            testWindows: test.count, valLoss: trainer.history.last?.valLoss, bestValLoss: trainer.history.compactMap(\.valLoss).min(),
            epochs: trainer.epoch, steps: trainer.step, trainSamplesPerSec: throughput(trainer), processes: trainer.processes, wallS: seconds(since: started))
        try run.write(summary, to: run.summary)
        let arch = forecaster.arch.rawValue
        print("test forecasts of the next \(forecaster.horizon) value(s) from \(test.count) windows (best weights):")
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
