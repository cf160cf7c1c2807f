import Ember
import Foundation
import SwiftProtobuf

/// Writes TensorBoard event files, as PyTorch's `torch.utils.tensorboard.SummaryWriter`:
/// scalars and histograms tagged by name (`"train/loss"`), each at a step. Point
/// TensorBoard at the folder (`tensorboard --logdir DIR`) to see them.
///
/// ```swift
/// let writer = try SummaryWriter(logDir: "runs/tb")
/// try writer.addScalar("train/loss", 0.42, step: 100)
/// try writer.addHistogram("weights/fc1", model.f1.weight, step: 100)
/// try writer.flush()
/// ```
///
/// Each writer makes its own file, `events.out.tfevents.<seconds>.<host>.<pid>.<n>`, so
/// a resumed run adds a file beside the first and TensorBoard reads them together.
public final class SummaryWriter {
    /// The folder the event file is in.
    public let logDir: URL
    /// The event file.
    public let file: URL
    private let handle: FileHandle
    private var pending = Data()
    private static var made = 0

    /// Creates `logDir` if needed and starts a new event file in it; throws
    /// `SummaryWriterError` naming the folder or file that cannot be written.
    public init(logDir: String) throws {
        self.logDir = URL(fileURLWithPath: logDir, isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: self.logDir, withIntermediateDirectories: true)
        } catch {
            throw SummaryWriterError(description: "cannot create the folder \(self.logDir.path)")
        }
        Self.made += 1
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "localhost"
        let name = "events.out.tfevents.\(Int(Date().timeIntervalSince1970)).\(host).\(getpid()).\(Self.made)"
        file = self.logDir.appendingPathComponent(name)
        guard FileManager.default.createFile(atPath: file.path, contents: nil),
              let handle = try? FileHandle(forWritingTo: file) else {
            throw SummaryWriterError(description: "cannot write the event file \(file.path)")
        }
        self.handle = handle
        var version = TensorBoardEvent()
        version.wallTime = Date().timeIntervalSince1970
        version.fileVersion = "brain.Event:2"
        try record(version)
        try flush()
    }

    deinit { try? close() }

    /// Logs `value` under `tag` at `step` (TensorBoard's scalars).
    public func addScalar(_ tag: String, _ value: Double, step: Int) throws {
        var summary = TensorBoardSummary.Value()
        summary.tag = tag
        summary.simpleValue = Float(value)
        try add(summary, step: step)
    }

    /// Logs the distribution of the finite values of `values` (any shape) under `tag` at
    /// `step` (TensorBoard's histograms), in `buckets` equal-width buckets from the
    /// smallest to the largest; NaNs and infinities are left out, and nothing is logged
    /// if no value is finite.
    public func addHistogram(_ tag: String, _ values: Tensor, step: Int, buckets: Int = 30) throws {
        precondition(buckets > 0, "addHistogram: \(buckets) buckets; need at least one")
        let xs = withNoGrad { values.detach().to(.float64).contiguous().scalars(as: Double.self) }
        guard let histogram = Self.histogram(xs, buckets: buckets) else { return }
        var summary = TensorBoardSummary.Value()
        summary.tag = tag
        summary.histo = histogram
        try add(summary, step: step)
    }

    /// The histogram of the finite values among `values` in `buckets` buckets; nil if
    /// none is finite.
    static func histogram(_ values: [Double], buckets: Int) -> TensorBoardHistogramProto? {
        let xs = values.filter(\.isFinite)
        var histogram = TensorBoardHistogramProto()
        guard let low = xs.min(), let high = xs.max() else { return nil }
        histogram.min = low
        histogram.max = high
        histogram.num = Double(xs.count)
        histogram.sum = xs.reduce(0, +)
        histogram.sumSquares = xs.reduce(0) { $0 + $1 * $1 }
        // In halves, so that a range as wide as ±1.8e308 does not overflow.
        let count = high > low ? buckets : 1, halfWidth = Swift.max((high / 2 - low / 2) / Double(count), .leastNonzeroMagnitude)
        var counts = [Double](repeating: 0, count: count)
        for x in xs { counts[Int(Swift.min((x / 2 - low / 2) / halfWidth, Double(count - 1)))] += 1 }
        histogram.bucketLimit = (1...count).map { $0 == count ? high : 2 * (low / 2 + Double($0) * halfWidth) }
        histogram.bucket = counts
        return histogram
    }

    /// Writes what has been logged to the file.
    public func flush() throws {
        guard !pending.isEmpty else { return }
        try handle.seekToEnd()
        try handle.write(contentsOf: pending)
        pending.removeAll(keepingCapacity: true)
    }

    /// Flushes and closes the file; the writer takes nothing more after this.
    public func close() throws {
        try flush()
        try handle.close()
    }

    private func add(_ value: TensorBoardSummary.Value, step: Int) throws {
        var event = TensorBoardEvent()
        event.wallTime = Date().timeIntervalSince1970
        event.step = Int64(step)
        event.summary.value = [value]
        try record(event)
    }

    private func record(_ event: TensorBoardEvent) throws {
        pending.append(TFRecord.frame(try event.serializedData()))
    }
}

/// A TensorBoard log that cannot be written.
public struct SummaryWriterError: Error, CustomStringConvertible {
    /// What cannot be written, naming the path.
    public let description: String
}
