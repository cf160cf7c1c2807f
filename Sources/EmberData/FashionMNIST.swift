import Ember
import Foundation

/// MNIST-style image sets stored as four IDX files: 28×28 grey images and their labels.
public enum ImageClassificationFiles {
    /// Images `[N, 1, 28, 28]` float32 in [0, 1] and labels `[N]` int64 from the IDX
    /// files `{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]` in `directory`.
    static func load(directory: String, train: Bool, installHint: String) throws -> TensorDataset {
        let prefix = train ? "train" : "t10k"
        let images = try IDX.read(try locate("\(prefix)-images-idx3-ubyte", in: directory, hint: installHint))
        let labels = try IDX.read(try locate("\(prefix)-labels-idx1-ubyte", in: directory, hint: installHint), dtype: .int64)
        guard images.ndim == 3, labels.ndim == 1, images.shape[0] == labels.shape[0] else {
            throw DataError("\(directory): images \(OpMessage.format(images.shape)) and labels \(OpMessage.format(labels.shape)) do not match")
        }
        if labels.numel > 0 && (labels.min().item() < 0 || labels.max().item() > 9) {
            throw DataError("\(directory): \(prefix) labels must be classes 0 to 9")
        }
        return TensorDataset(inputs: (images / 255.0).unsqueeze(1), targets: labels)
    }

    /// The gzip file, or else the plain one.
    private static func locate(_ name: String, in directory: String, hint: String) throws -> URL {
        let base = URL(fileURLWithPath: directory)
        for candidate in [name + ".gz", name] where FileManager.default.fileExists(atPath: base.appendingPathComponent(candidate).path) {
            return base.appendingPathComponent(candidate)
        }
        throw DataError("missing \(base.appendingPathComponent(name + ".gz").path): \(hint)")
    }
}

/// Zalando's Fashion-MNIST: 60,000 training and 10,000 test images of clothes in ten
/// classes, read from the files Debian's `dataset-fashion-mnist` installs.
public enum FashionMNIST {
    /// Where Debian's package puts the files.
    public static let defaultDirectory = "/usr/share/datasets/fashion-mnist"

    /// The ten classes, by label.
    public static let classNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

    /// The training (60,000) or test (10,000) set: images `[N, 1, 28, 28]` in [0, 1],
    /// labels `[N]` int64.
    public static func load(train: Bool, directory: String = defaultDirectory) throws -> TensorDataset {
        try ImageClassificationFiles.load(directory: directory, train: train,
                                          installHint: "install it with `apt-get install dataset-fashion-mnist` or point --data at a folder holding the IDX files")
    }
}

/// LeCun's MNIST digits, from the four standard IDX files in a folder of your choice.
public enum MNIST {
    /// The classes, by label.
    public static let classNames = (0...9).map(String.init)

    /// The training (60,000) or test (10,000) set: images `[N, 1, 28, 28]` in [0, 1],
    /// labels `[N]` int64.
    public static func load(train: Bool, directory: String) throws -> TensorDataset {
        try ImageClassificationFiles.load(directory: directory, train: train,
                                          installHint: "put MNIST's IDX files there (train-images-idx3-ubyte.gz, …)")
    }
}
