import ArgumentParser
import CBLAS
import Ember
import EmberTrain
import Foundation

/// `ember bench`: core throughput against the machine's own limits, measured in one run
/// so the ratios are fair: Ember's matmul against a direct `cblas_sgemm` call, Ember's
/// elementwise add against a plain memory copy, and the fixed cost of one small op.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Measure core tensor throughput.")

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    @Option(help: "Threads for Ember and OpenBLAS.")
    var threads: Int = 2

    @Option(help: "Timed repetitions per measurement (the best is kept).")
    var trials: Int = 7

    func validate() throws {
        guard threads >= 1 && threads <= TrainingConfig.maxThreads else {
            throw ValidationError("--threads must be from 1 to \(TrainingConfig.maxThreads)")
        }
        guard trials >= 1 else { throw ValidationError("--trials must be at least 1") }
    }

    func run() throws {
        setNumThreads(threads)
        var results: [(key: String, value: Double, unit: String, what: String)] = []
        let n = 1024
        let flops = 2.0 * Double(n * n * n)
        let a = Tensor.randn([n, n], generator: Generator(seed: 1))
        let b = Tensor.randn([n, n], generator: Generator(seed: 2))
        let c = Tensor.zeros([n, n])
        let matmul = best(trials, reps: 10) { _ = a.matmul(b) }
        // OpenBLAS's own threading for the direct call only (Ember keeps it
        // single-threaded and splits products itself).
        openblas_set_num_threads(Int32(threads))
        let sgemm = best(trials, reps: 10) {
            a.withUnsafeMutablePointer(as: Float.self) { pa in
                b.withUnsafeMutablePointer(as: Float.self) { pb in
                    c.withUnsafeMutablePointer(as: Float.self) { pc in
                        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n),
                                    1, pa, Int32(n), pb, Int32(n), 0, pc, Int32(n))
                    }
                }
            }
        }
        openblas_set_num_threads(1)
        results.append(("matmul_gflops_1024", flops / matmul / 1e9, "GFLOP/s", "Tensor.matmul, 1024², float32"))
        results.append(("blas_sgemm_gflops_1024", flops / sgemm / 1e9, "GFLOP/s", "cblas_sgemm called directly"))

        let count = 16 << 20
        let bytes = Double(count * MemoryLayout<Float>.size)
        let x = Tensor.randn([count], generator: Generator(seed: 3))
        let y = Tensor.randn([count], generator: Generator(seed: 4))
        let add = best(trials, reps: 3) { _ = x + y }
        let destination = Tensor.zeros([count])
        let copy = best(trials, reps: 3) {
            x.withUnsafeMutablePointer(as: Float.self) { src in
                destination.withUnsafeMutablePointer(as: Float.self) { dst in
                    _ = memcpy(dst, src, count * MemoryLayout<Float>.size)
                }
            }
        }
        results.append(("add_gbps_16m", 3 * bytes / add / 1e9, "GB/s", "x + y, 16M float32 (2 read + 1 written)"))
        results.append(("copy_gbps_16m", 2 * bytes / copy / 1e9, "GB/s", "memcpy of 16M float32 (read + written)"))

        let p = Tensor.randn([16]).requiringGrad(), q = Tensor.randn([16])
        let smallReps = 100_000
        let small = best(trials, reps: smallReps) { _ = p + q }
        results.append(("small_op_us", small * 1e6, "µs", "16-element add, autograd recording"))

        results.append(("matmul_vs_sgemm", sgemm / matmul, "ratio", "target ≥ 0.9"))
        results.append(("add_vs_copy", (3 * bytes / add) / (2 * bytes / copy), "ratio", "target ≥ 0.5"))
        let machine = Machine.current
        if json {
            var object: [String: Any] = Dictionary(uniqueKeysWithValues: results.map { ($0.key, $0.value) })
            object["threads"] = threads
            object["blas"] = machine.blas.library
            object["blas_core"] = machine.blas.core
            object["blas_core_reason"] = machine.blas.reason
            object["cpu"] = machine.cpu.summary
            object["cpu_features"] = machine.cpu.featureNames.joined(separator: " ")
            object["ember_kernels"] = machine.emberKernels
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("Ember \(emberVersion) core benchmark, \(threads) threads, best of \(trials)")
            for line in machine.report { print("\(line.label): \(line.value)") }
            print("")
            print(pad("measurement", 24) + pad("value", 12) + pad("unit", 9) + "what")
            print(String(repeating: "-", count: 90))
            for r in results {
                print(pad(r.key, 24) + pad(String(format: "%.3f", r.value), 12) + pad(r.unit, 9) + r.what)
            }
        }
    }

    /// Seconds per call of `body`: the best over `trials` timings of `reps` calls.
    private func best(_ trials: Int, reps: Int, _ body: () -> Void) -> Double {
        body()
        var fastest = Double.infinity
        for _ in 0..<trials {
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<reps { body() }
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            fastest = min(fastest, elapsed / Double(reps))
        }
        return fastest
    }

    private func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
    }
}
