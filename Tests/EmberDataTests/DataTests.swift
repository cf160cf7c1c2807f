import Foundation
import XCTest
import Ember
@testable import EmberData

final class DataTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ember-data-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    /// IDX bytes: magic, big-endian sizes, values.
    private func idx(_ shape: [Int], _ values: [UInt8], type: UInt8 = 0x08) -> Data {
        var d = Data([0, 0, type, UInt8(shape.count)])
        for n in shape { d.append(contentsOf: [UInt8(n >> 24 & 255), UInt8(n >> 16 & 255), UInt8(n >> 8 & 255), UInt8(n & 255)]) }
        d.append(contentsOf: values)
        return d
    }

    private func gzip(_ data: Data) throws -> Data {
        let plain = directory.appendingPathComponent("blob-\(UUID().uuidString)")
        try data.write(to: plain)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-kf", plain.path]
        try process.run()
        process.waitUntilExit()
        return try Data(contentsOf: URL(fileURLWithPath: plain.path + ".gz"))
    }

    func testIDXReadsPlainAndGzip() throws {
        let bytes = idx([2, 2, 3], Array(0..<12))
        let plain = try IDX.decode(bytes)
        XCTAssertEqual(plain.shape, [2, 2, 3])
        XCTAssertEqual(plain.floats, (0..<12).map(Float.init))
        let compressed = try IDX.decode(try gzip(bytes), dtype: .int64)
        XCTAssertEqual(compressed.ints, Array(0..<12))
    }

    func testMalformedIDXIsRejected() throws {
        let cases: [(Data, String)] = [
            (Data([0, 0]), "too short"),
            (Data([1, 0, 8, 1, 0, 0, 0, 1, 5]), "bad magic"),
            (idx([2], [1, 2], type: 0x0D), "not supported"),
            (Data([0, 0, 8, 2, 0, 0, 0, 2]), "too short"),
            (idx([4_294_967_295, 4_294_967_295, 4_294_967_295], []), "more values than any file holds"),
            (idx([0, 4_294_967_295, 4_294_967_295, 4_294_967_295], []), "more values than any file holds"),
            (idx([3, 2], [1, 2, 3]), "holds 3"),
            (idx([2], [1, 2, 3]), "holds 3"),
        ]
        for (data, expected) in cases {
            XCTAssertThrowsError(try IDX.decode(data, name: "case")) { XCTAssertTrue("\($0)".contains(expected), "\($0)") }
        }
        var corrupt = try gzip(idx([4], [1, 2, 3, 4]))
        corrupt.removeLast(12)
        XCTAssertThrowsError(try IDX.decode(corrupt, name: "cut.gz")) { XCTAssertTrue("\($0)".contains("corrupt or truncated"), "\($0)") }
    }

    /// A small gzip file that inflates far past the size its IDX header announces (a
    /// gzip bomb) is stopped about a megabyte past it, not inflated to the end.
    func testDecompressionStopsPastTheAnnouncedSize() throws {
        let bomb = try gzip(idx([4], [1, 2, 3, 4]) + Data(count: 64 << 20))
        XCTAssertLessThan(bomb.count, 1 << 20)
        XCTAssertThrowsError(try IDX.decode(bomb, name: "bomb.gz")) {
            XCTAssertEqual("\($0)", "bomb.gz: decompresses to more than the 12 bytes its header announces")
        }
        var inflated = 0
        XCTAssertThrowsError(try Gzip.decompress(bomb, name: "bomb.gz") { output in
            inflated = output.count
            return 12
        })
        XCTAssertLessThanOrEqual(inflated, 1 << 20, "stopped at the first megabyte")
        // A header that announces more than memory holds stops the inflation at once.
        let boast = try gzip(Data([0, 0, 8, 2, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF]) + Data(count: 8 << 20))
        XCTAssertThrowsError(try IDX.decode(boast, name: "boast.gz")) { XCTAssertTrue("\($0)".contains("of memory"), "\($0)") }
    }

    func testImageSetLoadsAndMissingFilesNameTheFileAndTheFix() throws {
        try gzip(idx([3, 28, 28], Array(repeating: 255, count: 3 * 784))).write(to: directory.appendingPathComponent("t10k-images-idx3-ubyte.gz"))
        try idx([3], [0, 9, 4]).write(to: directory.appendingPathComponent("t10k-labels-idx1-ubyte"))
        let test = try FashionMNIST.load(train: false, directory: directory.path)
        XCTAssertEqual(test.inputs.shape, [3, 1, 28, 28])
        XCTAssertEqual(test.inputs.max().item(), 1)
        XCTAssertEqual(test.targets.ints, [0, 9, 4])
        XCTAssertThrowsError(try FashionMNIST.load(train: true, directory: directory.path)) { error in
            XCTAssertEqual("\(error)", "missing \(directory.path)/train-images-idx3-ubyte.gz: install it with `apt-get install dataset-fashion-mnist` or point --data at a folder holding the IDX files")
        }
    }

    func testDataLoaderIsDeterministicUnderASeedAndCoversEverySample() {
        let data = TensorDataset(inputs: Tensor.arange(0, 10).unsqueeze(1), targets: Tensor.arange(10))
        let loader = DataLoader(data, batchSize: 4, shuffle: true, seed: 7)
        XCTAssertEqual(loader.count, 3)
        let first = loader.batches(epoch: 0).map { $0.targets.ints }
        XCTAssertEqual(first, loader.batches(epoch: 0).map { $0.targets.ints }, "same seed and epoch, same order")
        XCTAssertNotEqual(first, loader.batches(epoch: 1).map { $0.targets.ints }, "each epoch reshuffles")
        XCTAssertEqual(first.flatMap { $0 }.sorted(), Array(0..<10))
        XCTAssertEqual(first.map(\.count), [4, 4, 2])
        let unprefetched = DataLoader(data, batchSize: 4, shuffle: true, seed: 7, prefetch: 0)
        XCTAssertEqual(unprefetched.batches(epoch: 0).map { $0.targets.ints }, first)
        for batch in loader.batches(epoch: 3) {
            XCTAssertEqual(batch.inputs.squeeze(1).to(.int64).ints, batch.targets.ints, "inputs stay paired with targets")
        }
        let ordered = DataLoader(data, batchSize: 3, dropLast: true)
        XCTAssertEqual(ordered.batches(epoch: 0).map { $0.targets.ints }, [[0, 1, 2], [3, 4, 5], [6, 7, 8]])
        // Leaving an epoch early stops the producer without hanging.
        for _ in loader.batches(epoch: 2) { break }
    }

    /// PyTorch's DistributedSampler: one shared order per epoch, padded with its own
    /// first samples to a multiple of the processes, dealt out every `count`-th; the
    /// processes' batches together are the single process's batch of the global size.
    func testShardsDealOneSharedOrderAsDistributedSamplerDoes() {
        let data = TensorDataset(inputs: Tensor.zeros([10, 1]), targets: Tensor.arange(10))
        let whole = DataLoader(data, batchSize: 4, shuffle: true, seed: 3).batches(epoch: 1).map { $0.targets.ints }
        let shards = (0..<2).map { DataLoader(data, batchSize: 2, shuffle: true, seed: 3, shard: DataLoader.Shard(rank: $0, count: 2)) }
        XCTAssertEqual(shards.map(\.count), [3, 3])
        let dealt = shards.map { $0.batches(epoch: 1).map { $0.targets.ints } }
        for (b, batch) in whole.enumerated() {
            XCTAssertEqual(Set(dealt[0][b] + dealt[1][b]), Set(batch), "batch \(b): both shards' batches make the global one")
            XCTAssertEqual(dealt[0][b], stride(from: 0, to: batch.count, by: 2).map { batch[$0] }, "rank 0 takes every other, from the first")
        }
        let three = (0..<3).map { DataLoader(data, batchSize: 4, shuffle: true, seed: 3, shard: DataLoader.Shard(rank: $0, count: 3)) }
        let order = whole.flatMap { $0 }, padded = order + order.prefix(2)                       // 10 → 12 samples
        for (rank, loader) in three.enumerated() {
            XCTAssertEqual(loader.samples, 4)
            XCTAssertEqual(loader.batches(epoch: 1).flatMap { $0.targets.ints }, stride(from: rank, to: 12, by: 3).map { padded[$0] })
        }
    }

    func testTrainValidationSplitIsDisjointAndSeeded() {
        let data = TensorDataset(inputs: Tensor.zeros([20, 1]), targets: Tensor.arange(20))
        let (train, validation) = trainValidationSplit(data, validationCount: 5, seed: 1)
        XCTAssertEqual(train.count, 15)
        XCTAssertEqual(Set(train.indices + validation.indices), Set(0..<20))
        XCTAssertEqual(trainValidationSplit(data, validationCount: 5, seed: 1).validation.indices, validation.indices)
        XCTAssertEqual(validation.batch([0, 1]).targets.ints, Array(validation.indices[0...1]))
    }
}
