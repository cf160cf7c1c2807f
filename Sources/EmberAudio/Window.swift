import Ember
import Foundation

/// `torch.hann_window`: `0.5 − 0.5·cos(2πn / N)` for `n` in `0..<length`, with `N =
/// length` when `periodic` (the default, as spectral analysis wants) and `length − 1`
/// otherwise; `[length]` float32.
public func hannWindow(_ length: Int, periodic: Bool = true) -> Tensor {
    Tensor(hannWindowValues(length, periodic: periodic).map { Float($0) })
}

/// The values of `hannWindow(length, periodic:)` in float64.
func hannWindowValues(_ length: Int, periodic: Bool = true) -> [Double] {
    precondition(length >= 0, "hannWindow: length must be non-negative, got \(length)")
    if length == 1 { return [1] }
    let n = Double(periodic ? length : length - 1)
    return (0..<length).map { 0.5 - 0.5 * cos(2 * Double.pi * Double($0) / n) }
}
