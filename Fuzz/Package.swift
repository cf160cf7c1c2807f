// swift-tools-version:6.0
import PackageDescription

/// libFuzzer targets for Ember's readers of outside input, in a package of their own so
/// that the main package never needs a sanitizer. Built and run by `scripts/fuzz`:
/// `swift build --package-path Fuzz -c release --sanitize fuzzer` instruments Ember's
/// libraries too, and libFuzzer supplies each target's `main`.
let package = Package(
    name: "EmberFuzz",
    dependencies: [.package(name: "Ember", path: "..")],
    targets: [
        .executableTarget(name: "FuzzSafeTensors", dependencies: [.product(name: "Ember", package: "Ember")]),
        .executableTarget(name: "FuzzModelFile", dependencies: [.product(name: "EmberModels", package: "Ember")]),
        .executableTarget(name: "FuzzIDX", dependencies: [.product(name: "EmberData", package: "Ember")]),
        .executableTarget(name: "FuzzTextCorpus", dependencies: [.product(name: "EmberData", package: "Ember"),
                                                                 .product(name: "EmberModels", package: "Ember")]),
        .executableTarget(name: "FuzzSeriesCSV", dependencies: [.product(name: "EmberData", package: "Ember")]),
        .executableTarget(name: "FuzzWAV", dependencies: [.product(name: "EmberAudio", package: "Ember")]),
        .executableTarget(name: "FuzzSpeechMeta", dependencies: [.product(name: "EmberData", package: "Ember")]),
    ]
)
