/// The mean training loss over windows of `every` steps, for loggers that record the
/// loss more finely than per epoch but less noisily than per batch.
struct LossWindow {
    /// Steps per window; a window ends at every multiple of it.
    let every: Int
    private var sum = 0.0, count = 0

    init(every: Int) {
        precondition(every > 0, "LossWindow: every = \(every) must be positive")
        self.every = every
    }

    /// Adds the loss of `step`; returns the window's mean when `step` ends a window.
    mutating func add(_ loss: Double, step: Int) -> Double? {
        sum += loss
        count += 1
        guard step % every == 0 else { return nil }
        defer { (sum, count) = (0, 0) }
        return sum / Double(count)
    }
}
