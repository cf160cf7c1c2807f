import ArgumentParser
import Ember

/// `ember info`: what Ember runs on.
struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the library's configuration.")

    func run() {
        print("Ember \(emberVersion)")
        print("threads: \(numThreads())")
        print("dtypes: \(DType.allCases.map(\.rawValue).joined(separator: ", "))")
        print("BLAS: OpenBLAS (cblas_sgemm, cblas_dgemm)")
    }
}
