import Ember
import EmberNN

/// A recurrent forecaster: an LSTM or GRU reads a window of values and a linear layer
/// maps its last output to the next `horizon` values.
///
///     [B, T, 1] → LSTM | GRU (layers L) → last step [B, H] → linear → [B, horizon]
public final class SeriesForecaster: Module, Layer {
    /// The recurrent layers, batch first.
    public let rnn: RecurrentNetwork
    /// Last hidden output to the forecast.
    public let head: Linear

    /// A forecaster with `hidden` units per layer.
    public init(cell: RecurrentCellKind, hidden: Int, layers: Int = 1, horizon: Int = 1) {
        rnn = cell == .gru ? GRU(inputSize: 1, hiddenSize: hidden, numLayers: layers, batchFirst: true)
                           : LSTM(inputSize: 1, hiddenSize: hidden, numLayers: layers, batchFirst: true)
        head = Linear(inFeatures: hidden, outFeatures: horizon)
    }

    /// `[B, T, 1]` windows → `[B, horizon]` forecasts.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        precondition(x.ndim == 3 && x.shape[2] == 1, "SeriesForecaster: input \(ShapeMessage.format(x.shape)) must be [B, T, 1]")
        let output = rnn.forward(x).output
        return head(output.select(dim: 1, index: output.shape[1] - 1))
    }
}
