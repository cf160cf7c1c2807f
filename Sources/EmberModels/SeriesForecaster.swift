import Ember
import EmberNN

/// A forecaster's shape and what it reads: one LSTM layer of 64 reading windows of 48
/// values to forecast the next one, by default (the recipe of `ember train series`).
public struct SeriesForecasterConfig: ModelConfig {
    public static let kind = ModelKind.series
    /// The recurrent cell: lstm or gru.
    public var arch: RecurrentArch
    /// Hidden size and stacked layers.
    public var hidden: Int, layers: Int
    /// Past values a forecast reads, and future values it gives.
    public var window: Int, horizon: Int
    /// The series' unit of change: inputs and forecasts are differences from a window's
    /// last value divided by it (the standard deviation of the training part's steps).
    public var scale: Double

    /// A configuration; the defaults are the recipe's.
    public init(arch: RecurrentArch = .lstm, hidden: Int = 64, layers: Int = 1, window: Int = 48, horizon: Int = 1,
                scale: Double = 1) {
        self.arch = arch
        self.hidden = hidden
        self.layers = layers
        self.window = window
        self.horizon = horizon
        self.scale = scale
    }

    public func validate() throws {
        guard arch != .rnn else { throw ConfigError(keys: ["arch"], "arch must be lstm or gru (a forecaster uses gated cells), got rnn") }
        try Check.positive(hidden, "hidden")
        try Check.positive(layers, "layers")
        try Check.positive(window, "window")
        try Check.positive(horizon, "horizon")
        guard scale.isFinite && scale > 0 else { throw ConfigError(keys: ["scale"], "scale must be positive and finite, got \(scale)") }
    }

    public func describeState(_ layout: inout StateLayout) throws {
        try layout.recurrent("rnn", arch, input: 1, hidden: hidden, layers: layers)
        try layout.linear("head", hidden, horizon)
    }

    public func build() -> SeriesForecaster { SeriesForecaster(self) }

    public var erased: AnyModelConfig { .series(self) }
}

/// A recurrent forecaster: an LSTM or GRU reads a window of values and a linear layer
/// maps its last output to the next `horizon` values.
///
///     [B, T, 1] → LSTM | GRU (layers L) → last step [B, H] → linear → [B, horizon]
public final class SeriesForecaster: Module, Layer {
    /// The recurrent layers, batch first.
    public let rnn: RecurrentNetwork
    /// Last hidden output to the forecast.
    public let head: Linear

    /// The forecaster `config` describes (an LSTM unless it names a GRU).
    public init(_ config: SeriesForecasterConfig = SeriesForecasterConfig()) {
        rnn = config.arch == .gru ? GRU(inputSize: 1, hiddenSize: config.hidden, numLayers: config.layers, batchFirst: true)
                                  : LSTM(inputSize: 1, hiddenSize: config.hidden, numLayers: config.layers, batchFirst: true)
        head = Linear(inFeatures: config.hidden, outFeatures: config.horizon)
    }

    /// `[B, T, 1]` windows → `[B, horizon]` forecasts.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        precondition(x.ndim == 3 && x.shape[2] == 1, "SeriesForecaster: input \(OpMessage.format(x.shape)) must be [B, T, 1]")
        let output = rnn.forward(x).output
        return head(output.select(dim: 1, index: output.shape[1] - 1))
    }
}
