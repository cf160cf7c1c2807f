#if canImport(Glibc)
import Glibc
#endif

/// Whether ops record the autograd graph on the current thread (PyTorch's grad mode).
/// It is per thread, so a data-loading thread does not switch recording off for training.
public enum GradMode {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        precondition(pthread_key_create(&key, nil) == 0, "GradMode: pthread_key_create failed")
        return key
    }()

    /// True unless switched off on this thread by `withNoGrad`.
    public static var isEnabled: Bool {
        get { pthread_getspecific(key) == nil }
        set { pthread_setspecific(key, newValue ? nil : UnsafeRawPointer(bitPattern: 1)) }
    }
}

/// Runs `body` with graph recording off on this thread (PyTorch's `torch.no_grad()`),
/// for evaluation and weight updates; restores the previous mode afterwards.
public func withNoGrad<R>(_ body: () throws -> R) rethrows -> R {
    try withGradMode(false, body)
}

/// Runs `body` with graph recording set to `enabled`, restoring the previous mode.
public func withGradMode<R>(_ enabled: Bool, _ body: () throws -> R) rethrows -> R {
    let previous = GradMode.isEnabled
    GradMode.isEnabled = enabled
    defer { GradMode.isEnabled = previous }
    return try body()
}
