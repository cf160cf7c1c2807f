import Foundation

/// What a run directory's logs hold: `metrics.jsonl` (one record per epoch or
/// evaluation) and, if present, `steps.jsonl` (training loss every few steps).
public struct RunLog {
    /// The run's name in legends (its folder's name).
    public var name: String
    /// Per-epoch records.
    public var epochs: [EpochRecord]
    /// Finer training-loss points; empty for runs without `steps.jsonl`.
    public var steps: [StepRecord]

    /// A log from its parts.
    public init(name: String, epochs: [EpochRecord], steps: [StepRecord]) {
        self.name = name
        self.epochs = epochs
        self.steps = steps
    }

    /// Reads the run in `directory`; throws naming the file when it is not a run
    /// directory or a line of its logs is not a record.
    public init(directory: URL) throws {
        let metrics = directory.appendingPathComponent("metrics.jsonl")
        guard let epochs = try JSONFormat.lines(of: EpochRecord.self, at: metrics, each: "an epoch record") else {
            throw RunLogError("\(directory.path) is not a run directory: it has no readable metrics.jsonl")
        }
        self.init(name: directory.lastPathComponent, epochs: epochs,
                  steps: try StepLog.records(at: directory.appendingPathComponent("steps.jsonl")))
    }
}

/// Loss (and accuracy) against steps for one or more runs.
public enum TrainingCurves {
    /// A chart of `runs`: a loss panel (training loss every few steps, or per epoch,
    /// dashed; validation loss per evaluation, with dots) and, when any run has
    /// accuracies, an accuracy panel. One run's training and validation lines get two
    /// colours; several runs get a colour each, training dashed and validation solid.
    public static func chart(_ runs: [RunLog], title: String) -> LineChart {
        var loss: [LineChart.Series] = [], accuracy: [LineChart.Series] = []
        for (i, run) in runs.enumerated() {
            let single = runs.count == 1
            let trainColor = LineChart.palette[(single ? 0 : i) % LineChart.palette.count]
            let valColor = LineChart.palette[(single ? 1 : i) % LineChart.palette.count]
            let prefix = single ? "" : run.name + " "
            let trainLoss = run.steps.isEmpty ? run.epochs.map { (Double($0.step), $0.trainLoss) }
                                              : run.steps.map { (Double($0.step), $0.trainLoss) }
            loss.append(.init(label: prefix + "train", points: trainLoss, color: trainColor, dashed: !single,
                              markers: run.steps.isEmpty))
            let valLoss = run.epochs.compactMap { r in r.valLoss.map { (Double(r.step), $0) } }
            if !valLoss.isEmpty {
                loss.append(.init(label: prefix + "validation", points: valLoss, color: valColor, markers: true))
            }
            let trainAccuracy = run.epochs.compactMap { r in r.trainAccuracy.map { (Double(r.step), 100 * $0) } }
            let valAccuracy = run.epochs.compactMap { r in r.valAccuracy.map { (Double(r.step), 100 * $0) } }
            if !trainAccuracy.isEmpty {
                accuracy.append(.init(label: prefix + "train", points: trainAccuracy, color: trainColor, dashed: !single, markers: true))
            }
            if !valAccuracy.isEmpty {
                accuracy.append(.init(label: prefix + "validation", points: valAccuracy, color: valColor, markers: true))
            }
        }
        var panels = [LineChart.Panel(title: "Loss", xLabel: "step", yLabel: "loss", series: loss, xIncludes: [0])]
        if !accuracy.isEmpty {
            panels.append(LineChart.Panel(title: "Accuracy", xLabel: "step", yLabel: "accuracy (%)", series: accuracy, xIncludes: [0]))
        }
        return LineChart(title: title, panels: panels)
    }
}

/// Redraws `curves.svg` in the run directory after every epoch from the run's logs
/// (so it follows `MetricsLog` and `StepLog` in the callbacks).
public final class CurvesPlot: Callback {
    /// The run directory.
    public let directory: URL
    /// The chart's title.
    public let title: String

    /// Draws the run in `directory` under `title`.
    public init(directory: URL, title: String) {
        self.directory = directory
        self.title = title
    }

    /// `curves.svg` in the run directory.
    public var url: URL { directory.appendingPathComponent(Self.fileName) }
    private static let fileName = "curves.svg"

    public func epochEnded(_ trainer: Trainer, record: EpochRecord) throws { try Self.draw(directory, title: title) }

    /// Writes `curves.svg` of the run in `directory` from its logs as they are now.
    public static func draw(_ directory: URL, title: String) throws {
        let chart = TrainingCurves.chart([try RunLog(directory: directory)], title: title)
        try chart.svg().write(to: directory.appendingPathComponent(fileName), atomically: true, encoding: .utf8)
    }
}
