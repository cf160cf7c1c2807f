import ArgumentParser
import EmberTrain
import Foundation

/// `ember plot RUN_DIR [RUN_DIR…]`: the training curves of one or more runs in one
/// SVG chart (loss, and accuracy where the runs have it, against steps).
struct Plot: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw the loss and accuracy curves of one or more run directories, overlaid, as SVG.")

    @Argument(help: "Run directories (each with a metrics.jsonl).") var runs: [String]
    @Option(help: "The SVG file to write (not one of a run directory's own files).") var out: String = "curves.svg"
    @Option(help: "The chart's title (default: the runs' names).") var title: String?

    func validate() throws {
        guard !runs.isEmpty else { throw ValidationError("name at least one run directory") }
        guard !out.isEmpty else { throw ValidationError("--out is empty: name the SVG file to write") }
        guard !RunDirectory.isRunFile(URL(fileURLWithPath: out)) else {
            throw ValidationError("--out \(out) is a run directory's own file: write the chart elsewhere")
        }
    }

    func run() throws {
        try reportingErrors {
            let logs = try runs.map { try RunLog(directory: URL(fileURLWithPath: $0, isDirectory: true)) }
            let names = logs.map(\.name)
            guard Set(names).count == names.count else {
                throw CLIError("two runs share a folder name (\(names.joined(separator: ", "))); legends would not tell them apart")
            }
            let chart = TrainingCurves.chart(logs, title: title ?? names.joined(separator: " vs "))
            do {
                try chart.svg().write(toFile: out, atomically: true, encoding: .utf8)
            } catch {
                throw CLIError("cannot write \(out): \(error.localizedDescription)")
            }
            print("wrote \(out): \(logs.map { "\($0.name) (\($0.epochs.count) evaluations, \($0.steps.count) loss points)" }.joined(separator: ", "))")
        }
    }
}
