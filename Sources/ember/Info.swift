import ArgumentParser
import Ember

/// `ember info`: what Ember runs on.
struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the CPU, BLAS kernels and threads Ember runs with.")

    func run() {
        print("Ember \(emberVersion)")
        for line in Machine.current.report { print("\(line.label): \(line.value)") }
        print("dtypes: \(DType.allCases.map(\.rawValue).joined(separator: ", "))")
    }
}
