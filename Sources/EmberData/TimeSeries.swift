import Ember
import Foundation

/// Sequences of numbers to forecast: a well-defined synthetic one, or a file of values.
public enum TimeSeries {
    /// `0.02·t + sin(2πt / 50) + 0.5·sin(2πt / 13) + ε` for `t` in `0..<count`, with
    /// ε drawn from N(0, noise²) by a generator seeded with `seed`: a trend, two seasons
    /// and noise, so a forecaster has something to learn beyond the last value.
    public static func sinesWithTrend(count: Int, noise: Double = 0.2, seed: UInt64 = 0) -> [Double] {
        precondition(count > 0 && noise >= 0, "sinesWithTrend: need a positive count and non-negative noise")
        let eps = Tensor.randn([count], dtype: .float64, generator: Generator(seed: seed)).doubles
        return (0..<count).map { i in
            let t = Double(i)
            return 0.02 * t + sin(2 * .pi * t / 50) + 0.5 * sin(2 * .pi * t / 13) + noise * eps[i]
        }
    }

    /// The numbers in a text file, one per line, or the last field of comma-separated
    /// lines (any line ending: LF, CRLF); empty lines and a first line that is not a
    /// number (a header) are skipped.
    /// Throws naming the file and line of anything else that is not a finite number.
    public static func read(path: String) throws -> [Double] {
        let data: Data
        do {
            data = try RegularFile.contents(atPath: path)
        } catch {
            throw DataError("cannot read \(error)")
        }
        return try parse(data, name: path)
    }

    /// The numbers in the bytes of a file named `name`, as `read(path:)` reads them.
    public static func parse(_ data: Data, name: String) throws -> [Double] {
        var values: [Double] = []
        // Split on any line break: "\r\n" is one Character in Swift, never equal to "\n".
        for (n, line) in String(decoding: data, as: UTF8.self).split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let field = line.split(separator: ",").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
            if field.isEmpty { continue }
            guard let value = Double(field), value.isFinite else {
                if n == 0 { continue }
                throw DataError("\(name), line \(n + 1): '\(field)' is not a number")
            }
            values.append(value)
        }
        return values
    }
}

/// Forecasting windows over a series: sample `i` reads `window` values and predicts the
/// `horizon` after them. Both are taken relative to the window's last value and
/// divided by `scale`, so a trend does not move the inputs out of the range the model
/// learned, and predicting zero is the naive last-value forecast.
public struct ForecastWindows: Dataset {
    /// The series.
    public let values: [Double]
    /// Values read, and values predicted, per sample.
    public let window: Int, horizon: Int
    /// The unit of inputs and targets.
    public let scale: Double

    /// Windows over `values`, which must hold at least one window and its horizon.
    public init(_ values: [Double], window: Int, horizon: Int, scale: Double) {
        precondition(window > 0 && horizon > 0 && scale > 0, "ForecastWindows: window, horizon and scale must be positive")
        precondition(values.count >= window + horizon,
                     "ForecastWindows: \(values.count) values hold no window of \(window) plus \(horizon) to predict")
        self.values = values
        self.window = window
        self.horizon = horizon
        self.scale = scale
    }

    /// One sample per start position that leaves room for the horizon.
    public var count: Int { values.count - window - horizon + 1 }

    /// The last value sample `i` reads (what its predictions are relative to).
    public func anchor(_ i: Int) -> Double { values[i + window - 1] }

    /// The values sample `i` should predict, in the series' own units.
    public func future(_ i: Int) -> ArraySlice<Double> { values[(i + window)..<(i + window + horizon)] }

    /// Inputs `[B, window, 1]` and targets `[B, horizon]`, float32.
    public func batch(_ indices: [Int]) -> Batch {
        var inputs: [Float] = [], targets: [Float] = []
        for i in indices {
            let last = anchor(i)
            inputs += values[i..<(i + window)].map { Float(($0 - last) / scale) }
            targets += future(i).map { Float(($0 - last) / scale) }
        }
        return Batch(inputs: Tensor(inputs, shape: [indices.count, window, 1]), targets: Tensor(targets, shape: [indices.count, horizon]))
    }
}
