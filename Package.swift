// swift-tools-version:6.0
import Foundation
import PackageDescription

/// Whether Open MPI's C library is installed (`libopenmpi-dev`; `EMBER_SETUP_MPI=1
/// scripts/setup` installs it). With it, `EmberDistributed` has its MPI communicator and
/// `ember train --distributed` runs across processes; without it, everything builds and
/// `--distributed` says how to get it.
let openMPI = (["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib", "/usr/local/lib"].map { $0 + "/pkgconfig" }
    + (ProcessInfo.processInfo.environment["PKG_CONFIG_PATH"] ?? "").split(separator: ":").map(String.init))
    .contains { FileManager.default.fileExists(atPath: $0 + "/ompi-c.pc") }

let package = Package(
    name: "Ember",
    products: [
        .library(name: "Ember", targets: ["Ember"]),
        .library(name: "EmberNN", targets: ["EmberNN"]),
        .library(name: "EmberData", targets: ["EmberData"]),
        .library(name: "EmberTrain", targets: ["EmberTrain"]),
        .library(name: "EmberModels", targets: ["EmberModels"]),
        .library(name: "EmberAudio", targets: ["EmberAudio"]),
        .library(name: "EmberDistributed", targets: ["EmberDistributed"]),
        .executable(name: "ember", targets: ["ember"]),
        .executable(name: "espeak-align", targets: ["espeak-align"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .target(name: "CEmberMath"),
        .target(name: "Ember", dependencies: ["CBLAS", "CEmberMath"]),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(name: "EmberNN", dependencies: ["Ember", "CEmberMath"]),
        .target(name: "EmberAudio", dependencies: ["Ember"]),
        .target(name: "EmberData", dependencies: ["Ember", "EmberAudio", "CZlib"]),
        .target(
            name: "EmberTrain",
            dependencies: ["Ember", "EmberNN", "EmberData", .product(name: "SwiftProtobuf", package: "swift-protobuf")]
        ),
        .target(name: "EmberModels", dependencies: ["Ember", "EmberNN", "EmberData"]),
        .target(name: "EmberDistributed", dependencies: ["Ember", "EmberNN"] + (openMPI ? ["CMPI"] : [])),
        .executableTarget(
            name: "ember",
            dependencies: [
                "Ember",
                "EmberNN",
                "EmberData",
                "EmberTrain",
                "EmberModels",
                "EmberAudio",
                "EmberDistributed",
                "CBLAS",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // espeak-ng's C API is GPL-3: only this small program links it, and `ember data
        // speech-tts` runs it as a separate process.
        .systemLibrary(
            name: "CEspeakNG",
            pkgConfig: "espeak-ng",
            providers: [.apt(["libespeak-ng-dev"])]
        ),
        .executableTarget(name: "espeak-align", dependencies: ["CEspeakNG"]),
        // Small runnable programs (Examples/NAME/main.swift); built with everything else, so they never rot.
        .executableTarget(name: "PerceptronExample", dependencies: ["Ember", "EmberNN"], path: "Examples/Perceptron"),
        .executableTarget(name: "MLPExample", dependencies: ["Ember", "EmberNN", "EmberData", "EmberModels", "EmberTrain"],
                          path: "Examples/MLP"),
        .executableTarget(name: "CNNExample", dependencies: ["Ember", "EmberNN", "EmberData", "EmberModels"], path: "Examples/CNN"),
        .executableTarget(name: "LSTMExample", dependencies: ["Ember", "EmberNN", "EmberData", "EmberModels"], path: "Examples/LSTM"),
        .executableTarget(name: "GPTExample", dependencies: ["Ember", "EmberNN", "EmberData", "EmberModels"], path: "Examples/GPT"),
        .executableTarget(name: "SpeechDigitsExample", dependencies: ["Ember", "EmberNN", "EmberData", "EmberModels"],
                          path: "Examples/SpeechDigits"),
        .executableTarget(name: "SpeechSynthesisExample", dependencies: ["Ember", "EmberNN", "EmberData", "EmberModels", "EmberAudio"],
                          path: "Examples/SpeechSynthesis"),
        .executableTarget(name: "DataParallelExample", dependencies: ["Ember", "EmberNN", "EmberData", "EmberModels", "EmberDistributed"],
                          path: "Examples/DataParallel"),
        .testTarget(name: "EmberTests", dependencies: ["Ember", "CBLAS", "CEmberMath"]),
        .testTarget(name: "EmberNNTests", dependencies: ["EmberNN", "Ember", "CEmberMath"], exclude: ["Fixtures"]),
        .testTarget(name: "EmberDataTests", dependencies: ["EmberData", "EmberAudio", "Ember"]),
        .testTarget(name: "EmberAudioTests", dependencies: ["EmberAudio", "Ember"], exclude: ["Fixtures"]),
        .testTarget(name: "emberTests", dependencies: ["ember", "EmberModels", "EmberTrain", "EmberNN", "EmberData", "EmberAudio"]),
        .testTarget(name: "EmberTrainTests", dependencies: ["EmberTrain", "EmberModels", "EmberNN", "EmberData", "Ember"]),
        .testTarget(name: "EmberModelsTests", dependencies: ["EmberModels", "EmberNN", "EmberData", "Ember"], exclude: ["Fixtures"]),
        .testTarget(name: "EmberDistributedTests", dependencies: ["EmberDistributed", "EmberNN", "Ember", "DataParallelExample"]),
    ],
    swiftLanguageModes: [.v5]
)

// Open MPI through its pkg-config name, only where it is installed.
if openMPI {
    package.targets.append(.systemLibrary(name: "CMPI", path: "Sources/CMPI", pkgConfig: "ompi-c",
                                          providers: [.apt(["libopenmpi-dev", "openmpi-bin"])]))
}
