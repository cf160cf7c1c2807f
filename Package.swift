// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Ember",
    products: [
        .library(name: "Ember", targets: ["Ember"]),
        .library(name: "EmberNN", targets: ["EmberNN"]),
        .executable(name: "ember", targets: ["ember"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .target(name: "Ember", dependencies: ["CBLAS"]),
        .target(name: "EmberNN", dependencies: ["Ember"]),
        .executableTarget(
            name: "ember",
            dependencies: [
                "Ember",
                "EmberNN",
                "CBLAS",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "EmberTests", dependencies: ["Ember", "CBLAS"]),
        .testTarget(name: "EmberNNTests", dependencies: ["EmberNN", "Ember"]),
    ],
    swiftLanguageModes: [.v5]
)
