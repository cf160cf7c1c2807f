import CEmberMath

/// What this process computes on: the CPU, the BLAS library and kernel set, the vector
/// width of Ember's own kernels and the thread counts. `ember info` and `ember bench`
/// print it and every run's `config.json` records it, so a figure can be explained
/// later (PyTorch's `torch.__config__.show()`).
public struct Machine: Codable, Equatable, Sendable {
    /// The processor.
    public var cpu: CPU
    /// OpenBLAS and its kernel set.
    public var blas: BLASBackend
    /// The vectors Ember's own C kernels (exp, tanh, GELU, row copies, pooling) use:
    /// "AVX-512", "AVX2+FMA" or "portable".
    public var emberKernels: String
    /// Threads Ember's loops and matrix products use (`numThreads()`).
    public var threads: Int

    /// This process, now (choosing OpenBLAS's kernel set if nothing has yet).
    public static var current: Machine {
        let bits = ember_kernel_vector_bits()
        return Machine(cpu: .current, blas: .current,
                       emberKernels: bits == 512 ? "AVX-512" : bits == 256 ? "AVX2+FMA" : "portable",
                       threads: numThreads())
    }

    /// The description as lines of `label: value`, for `ember info` and `ember bench`.
    public var report: [(label: String, value: String)] {
        func size(_ bytes: Int) -> String {
            bytes == 0 ? "?" : bytes % (1 << 20) == 0 ? "\(bytes >> 20) MiB" : "\(bytes >> 10) KiB"
        }
        return [
            ("CPU", "\(cpu.summary), \(cpu.cores) cores"),
            ("vector features", cpu.featureNames.isEmpty ? "none known" : cpu.featureNames.joined(separator: " ")),
            ("caches", "L1d \(size(cpu.caches.l1d)), L2 \(size(cpu.caches.l2)) per core, L3 \(size(cpu.caches.l3))"),
            ("BLAS", blas.buildConfig),
            ("BLAS kernels", "\(blas.core): \(blas.reason)"),
            ("Ember kernels", emberKernels),
            ("threads", "Ember \(threads), OpenBLAS \(blas.threads) per call (Ember splits products itself)"),
        ]
    }
}
