import Ember
import EmberData
import EmberNN

/// The standardisation a classifier applies to its input before its first layer,
/// `(x − mean) / std` on every element: torchvision's `transforms.Normalize` for one
/// channel, kept inside the model so that a saved model reads the same raw pixels
/// (in [0, 1]) it was trained on. Its statistics come from the training images.
public struct InputNormalization: Equatable, Codable, Sendable {
    /// Subtracted from every input element.
    public let mean: Double
    /// Every centred element is divided by this (positive and finite).
    public let std: Double

    /// `(x − mean) / std`; `std` must be positive and finite.
    public init(mean: Double, std: Double) {
        precondition(mean.isFinite && std.isFinite && std > 0,
                     "InputNormalization: mean \(mean) must be finite and std \(std) positive and finite")
        self.mean = mean
        self.std = std
    }

    /// The mean and (population) standard deviation of all the elements of `images`
    /// (any shape, not empty), computed in float64; a standard deviation of 1 when all
    /// elements are equal, so that such images are only centred.
    public init(fitting images: Tensor) {
        precondition(images.numel > 0, "InputNormalization: fitting needs at least one element, got \(OpMessage.format(images.shape))")
        let values = images.detach().to(.float64)
        let std: Double = values.std(correction: 0).item()
        self.init(mean: values.mean().item(), std: std > 0 ? std : 1)
    }

    /// The mean and standard deviation of every element of every input of `dataset`
    /// (the training images, not the validation or test ones).
    public init(fitting dataset: any Dataset) {
        self.init(fitting: dataset.batch(Array(0..<dataset.count)).inputs)
    }

    /// Throws unless the mean is finite and the standard deviation positive and finite
    /// (a decoded normalisation is checked before it is used).
    public func validate() throws {
        guard mean.isFinite && std.isFinite && std > 0 else {
            throw ConfigError("normalization needs a finite mean and a positive standard deviation, got mean \(mean) and std \(std)")
        }
    }

    /// `x` standardised; same shape and dtype.
    public func callAsFunction(_ x: Tensor) -> Tensor { (x - mean) / std }
}
