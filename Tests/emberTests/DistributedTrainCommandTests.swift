import Ember
import Foundation
import XCTest

/// `mpirun -np 2 ember train … --distributed`: two processes at a global batch give the
/// weights one process gives at that batch (the MLP, the CNN without batch norm, a
/// character LSTM and a GPT, 20 steps), only rank 0 writes the run directory, and
/// without mpirun the flag trains as one process and says so.
final class DistributedTrainCommandTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ember-distributed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try writeBandedImages(to: directory, train: 740, test: 60, seed: 11)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    /// One epoch of 640 images at a global batch of 32: 20 steps, without dropout, by SGD
    /// with momentum (Adam divides each gradient by its own size, so for weights whose
    /// gradients are near zero it turns float rounding into steps of the learning rate:
    /// the CNN then differs by 2e-5 of its norm).
    private func flags(_ out: String, epochs: Int = 1) -> [String] {
        ["--data", directory.path, "--val-size", "100", "--epochs", "\(epochs)", "--batch-size", "32", "--dropout", "0", "--threads", "1",
         "--optimizer", "sgd", "--lr", "0.05", "--momentum", "0.9", "--out", directory.appendingPathComponent(out).path]
    }

    /// The model's weights in a run's last checkpoint, by name.
    private func weights(_ run: String) throws -> [String: Tensor] {
        let (tensors, _) = try SafeTensors.read(directory.appendingPathComponent(run).appendingPathComponent("checkpoint.safetensors"))
        return Dictionary(uniqueKeysWithValues: tensors.filter { $0.name.hasPrefix("model.") }.map { ($0.name, $0.tensor) })
    }

    private func assertSameWeights(_ one: String, _ two: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let (a, b) = (try weights(one), try weights(two))
        XCTAssertEqual(Set(a.keys), Set(b.keys), file: file, line: line)
        XCTAssertFalse(a.isEmpty, file: file, line: line)
        for (name, x) in a {
            guard let y = b[name] else { continue }
            let scale: Double = x.to(.float64).abs().max().item()
            let difference: Double = (x.to(.float64) - y.to(.float64)).abs().max().item()
            XCTAssertLessThan(difference, 1e-5 * Swift.max(scale, 1e-3), name, file: file, line: line)
        }
    }

    func testTwoProcessesTrainTheMLPAsOneAndOnlyRankZeroWrites() throws {
        let alone = try runEmber(["train", "mlp", "--hidden", "32"] + flags("one"))
        XCTAssertEqual(alone.status, 0, alone.err)
        let two = try runEmberUnderMPI(ranks: 2, ["train", "mlp", "--distributed", "--hidden", "32"] + flags("two"))
        XCTAssertEqual(two.status, 0, two.output)
        XCTAssertTrue(two.output.contains("; 2 processes, 16 samples each a step; run directory "), two.output)
        XCTAssertEqual(two.output.components(separatedBy: "epoch 1: train loss").count, 2, "one progress report, rank 0's")
        try assertSameWeights("one", "two")
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("two/summary.json"))) as? [String: Any]
        XCTAssertNotNil(summary?["test_accuracy"], "rank 0 tested and wrote the summary")
        XCTAssertEqual(summary?["processes"] as? Int, 2)
        let epoch = try String(contentsOf: directory.appendingPathComponent("two/metrics.jsonl"), encoding: .utf8)
        XCTAssertEqual(epoch.split(separator: "\n").count, 1, "one record of the epoch, rank 0's")
    }

    func testTwoProcessesTrainTheCNNAsOne() throws {
        XCTAssertEqual(try runEmber(["train", "cnn"] + flags("one")).status, 0)
        let two = try runEmberUnderMPI(ranks: 2, ["train", "cnn", "--distributed"] + flags("two"))
        XCTAssertEqual(two.status, 0, two.output)
        try assertSameWeights("one", "two")
    }

    /// The text models draw random windows: the group shares one draw of the global
    /// batch's windows a step, and a character LSTM and a GPT train as one process does.
    func testTwoProcessesTrainTheTextModelsAsOne() throws {
        let corpus = directory.appendingPathComponent("corpus.txt")
        try String(repeating: "To be, or not to be: that is the question.\n", count: 60).write(to: corpus, atomically: true, encoding: .utf8)
        let common = ["--corpus", corpus.path, "--steps", "20", "--eval-every", "10", "--eval-batches", "2", "--batch-size", "8",
                      "--threads", "1", "--optimizer", "sgd", "--lr", "0.05", "--clip", "0", "--dropout", "0"]
        for (kind, model) in [("charlm", ["--hidden", "32", "--embed", "16"]), ("gpt", ["--layers", "1", "--heads", "2", "--embed", "16", "--context", "16"])] {
            let out = { (name: String) in ["--out", self.directory.appendingPathComponent("\(kind)-\(name)").path] }
            let alone = try runEmber(["train", kind] + model + common + out("one"))
            XCTAssertEqual(alone.status, 0, alone.err)
            let two = try runEmberUnderMPI(ranks: 2, ["train", kind, "--distributed"] + model + common + out("two"))
            XCTAssertEqual(two.status, 0, two.output)
            try assertSameWeights("\(kind)-one", "\(kind)-two")
        }
    }

    func testWithoutMPIRunItTrainsAsOneProcessAndSaysSo() throws {
        let alone = try runEmber(["train", "mlp", "--distributed", "--hidden", "16"] + flags("alone"))
        XCTAssertEqual(alone.status, 0, alone.err)
        XCTAssertTrue(alone.out.hasPrefix("--distributed: 1 process (started without mpirun, or with -np 1): training as one\n"), alone.out)
    }

    /// A rank killed mid-run: mpirun stops the other within seconds and fails, and the
    /// last checkpoint (rank 0's) is intact: four processes resume it to the end.
    func testARankKilledMidRunStopsAllAndTheCheckpointResumes() throws {
        let run = directory.appendingPathComponent("killed").path
        let arguments = ["train", "mlp", "--distributed", "--hidden", "256"] + flags("killed", epochs: 40)
        let (mpirun, log) = try startEmberUnderMPI(ranks: 2, arguments)
        let checkpoint = run + "/checkpoint.safetensors"
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: checkpoint) && mpirun.isRunning && Date() < deadline { usleep(20_000) }
        XCTAssertTrue(mpirun.isRunning, "still training after its first checkpoint")
        guard let rank1 = Self.process(rank: 1, of: run) else { return XCTFail("no rank 1 process found") }
        let killed = Date()
        kill(rank1, SIGKILL)
        let output = String(decoding: log.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        mpirun.waitUntilExit()
        XCTAssertNotEqual(mpirun.terminationStatus, 0, output)
        XCTAssertLessThan(Date().timeIntervalSince(killed), 10, "the other rank stopped within seconds")
        let resumed = try runEmberUnderMPI(ranks: 4, ["train", "--resume", run, "--distributed"])
        XCTAssertEqual(resumed.status, 0, resumed.output)
        XCTAssertTrue(resumed.output.contains("resuming \(run) after epoch "), resumed.output)
        XCTAssertTrue(resumed.output.contains("; 4 processes, 8 samples each a step; "), "any number of processes resumes it")
        XCTAssertTrue(FileManager.default.fileExists(atPath: run + "/summary.json"), "finished")
    }

    /// The process of `rank` among those training into `run` (by its command line and
    /// Open MPI's rank variable).
    private static func process(rank: Int, of run: String) -> pid_t? {
        let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.compactMap { pid_t($0) } ?? []
        return pids.first { pid in
            guard let command = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"),
                  String(decoding: command, as: UTF8.self).contains(run),
                  let environment = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return false }
            return String(decoding: environment, as: UTF8.self).split(separator: "\0").contains("OMPI_COMM_WORLD_RANK=\(rank)")
        }
    }

    /// scripts/two-hosts: one rank in each of two network namespaces joined by a veth
    /// pair, over TCP as between machines, trains what two ranks on one host train.
    func testTwoNamespacesTrainAsOneHostDoes() throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/two-hosts")
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") || FileManager.default.isExecutableFile(atPath: "/sbin/ip") else {
            throw XCTSkip("network namespaces need root and iproute2")
        }
        _ = try mpirun()
        let process = Process(), log = Pipe()
        process.executableURL = script
        process.arguments = [directory.appendingPathComponent("hosts").path, "mlp", "--hidden", "32"] + flags("unused").dropLast(2)   // it names its own --out
        process.standardOutput = log
        process.standardError = log
        try process.run()
        let output = String(decoding: log.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, output)
        XCTAssertTrue(output.contains("rank 0 on 10.77.0.1 (ember-host-a), rank 1 on 10.77.0.2 (ember-host-b), over TCP"), output)
        XCTAssertTrue(output.contains("two-hosts: the two runs' model.safetensors are identical"), output)
    }

    func testAGlobalBatchThatDoesNotSplitIsRefused() throws {
        let two = try runEmberUnderMPI(ranks: 2, ["train", "mlp", "--distributed"] + flags("odd").map { $0 == "32" ? "33" : $0 })
        XCTAssertNotEqual(two.status, 0)
        XCTAssertTrue(two.output.contains("--batch-size 33 is the global batch: it must split evenly over the 2 processes"), two.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("odd").path), "nothing written")
    }
}
