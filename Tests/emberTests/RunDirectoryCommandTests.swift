import Ember
import Foundation
import XCTest

/// A run directory has one writer and survives what users do to it: a second trainer,
/// a kill at any moment, a broken checkpoint, an edited config.json, `ember plot` aimed
/// at it. Each case here lost or mixed data before.
final class RunDirectoryCommandTests: XCTestCase {
    private var directory: URL!
    private var corpus: URL { directory.appendingPathComponent("corpus.txt") }

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ember-rundir-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try String(repeating: "To be, or not to be: that is the question.\n", count: 60).write(to: corpus, atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
    private func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }
    private func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    /// The epochs `metrics.jsonl` records, in order.
    private func loggedEpochs(_ run: String) throws -> [Int] {
        try String(contentsOfFile: "\(run)/metrics.jsonl", encoding: .utf8).split(separator: "\n").map {
            try XCTUnwrap((try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["epoch"] as? Int)
        }
    }

    /// Starts `arguments`, kills it with SIGKILL as soon as its first checkpoint exists,
    /// and returns once it has ended; fails if it finished first.
    private func killAfterFirstCheckpoint(_ arguments: [String], run: String) throws {
        let process = try startEmber(arguments)
        while !exists("\(run)/checkpoint.safetensors") && process.isRunning { usleep(2_000) }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .uncaughtSignal, "the run ended before it could be killed: give it more steps")
        XCTAssertFalse(exists("\(run)/summary.json"))
    }

    func testKilledRunsResumeToTheUninterruptedResultForEveryScheduleAndTextModel() throws {
        let text = ["--corpus", corpus.path, "--batch-size", "8", "--eval-every", "20", "--eval-batches", "2"]
        let transformer = ["--layers", "1", "--heads", "2", "--embed", "16", "--context", "16"]
        let cases: [(String, [String])] = [
            ("charlm", ["--embed", "8", "--hidden", "32", "--seq-len", "16", "--steps", "1000", "--schedule", "cosine", "--warmup", "30"]),
            ("gpt", transformer + ["--steps", "600", "--schedule", "cosine", "--dropout", "0.1"]),
            ("bert", transformer + ["--steps", "600", "--warmup", "50"]),
        ]
        for (kind, flags) in cases {
            let whole = path("\(kind)-whole"), killed = path("\(kind)-killed")
            XCTAssertEqual(try runEmber(["train", kind, "--out", whole] + text + flags).status, 0, kind)
            try killAfterFirstCheckpoint(["train", kind, "--out", killed] + text + flags, run: killed)
            // What a kill in the middle of an atomic write leaves.
            try Data("partial".utf8).write(to: URL(fileURLWithPath: "\(killed)/.model.safetensors.99999.tmp"))

            let resumed = try runEmber(["train", "--resume", killed])
            XCTAssertEqual(resumed.status, 0, "\(kind): \(resumed.err)")
            XCTAssertTrue(resumed.out.contains("resuming \(killed) after step"), resumed.out)
            XCTAssertEqual(try bytes("\(killed)/model.safetensors"), try bytes("\(whole)/model.safetensors"), "\(kind): the resumed run's best weights")
            XCTAssertEqual(try loggedEpochs(killed), try loggedEpochs(whole), "\(kind): each evaluation logged once")
            let left = try FileManager.default.contentsOfDirectory(atPath: killed).filter { $0.hasSuffix(".tmp") }
            XCTAssertEqual(left, [], kind)
        }
    }

    func testAKilledClassifierWithEarlyStoppingAndAStepScheduleResumesExactly() throws {
        // Fashion-MNIST's format: class c lights up row band c, under heavy noise, so that
        // validation loss stops improving and early stopping ends the run.
        let data = directory.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        try writeBandedImages(to: data, train: 2000, test: 100, seed: 5)
        let flags = ["--data", data.path, "--epochs", "30", "--patience", "2", "--val-size", "500", "--hidden", "64",
                     "--lr", "0.01", "--schedule", "step", "--step-size", "40", "--gamma", "0.5", "--warmup", "20"]
        let whole = path("mlp-whole"), killed = path("mlp-killed")
        XCTAssertEqual(try runEmber(["train", "mlp", "--out", whole] + flags).status, 0)
        try killAfterFirstCheckpoint(["train", "mlp", "--out", killed] + flags, run: killed)
        let resumed = try runEmber(["train", "--resume", killed])
        XCTAssertEqual(resumed.status, 0, resumed.err)
        XCTAssertEqual(try bytes("\(killed)/model.safetensors"), try bytes("\(whole)/model.safetensors"))
        XCTAssertEqual(try loggedEpochs(killed), try loggedEpochs(whole))
        XCTAssertLessThan(try loggedEpochs(whole).count, 30, "early stopping ended the run")
    }

    func testASecondWriterIsRefusedNamingTheFirst() throws {
        let run = path("run")
        let flags = ["--corpus", corpus.path, "--embed", "8", "--hidden", "32", "--seq-len", "16", "--batch-size", "8",
                     "--eval-every", "1000", "--steps", "100000"]
        let first = try startEmber(["train", "charlm", "--out", run] + flags)
        defer {
            first.terminate()
            first.waitUntilExit()
        }
        while !exists("\(run)/config.json") && first.isRunning { usleep(2_000) }
        let config = try bytes("\(run)/config.json")
        for second in [["train", "--resume", run], ["train", "charlm", "--out", run] + flags] {
            let refused = try runEmber(second)
            XCTAssertEqual(refused.status, 1, refused.err)
            XCTAssertTrue(refused.err.contains("\(run) is in use by another ember process (pid \(first.processIdentifier))"), refused.err)
        }
        XCTAssertEqual(try bytes("\(run)/config.json"), config)
        XCTAssertTrue(first.isRunning)
    }

    func testARunStoppedBeforeItsFirstCheckpointCanBeRestarted() throws {
        let flags = ["--corpus", corpus.path, "--embed", "8", "--hidden", "32", "--seq-len", "16", "--batch-size", "8",
                     "--eval-every", "10", "--steps", "20"]
        let whole = path("whole"), stopped = path("stopped"), reused = path("reused")
        XCTAssertEqual(try runEmber(["train", "charlm", "--out", whole] + flags).status, 0)
        for run in [stopped, reused] {
            // All a run killed during its first evaluation leaves: its config and a log line.
            try FileManager.default.createDirectory(atPath: run, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: "\(whole)/config.json", toPath: "\(run)/config.json")
            try FileManager.default.copyItem(atPath: "\(whole)/metrics.jsonl", toPath: "\(run)/metrics.jsonl")
        }
        let restarted = try runEmber(["train", "--resume", stopped])
        XCTAssertEqual(restarted.status, 0, restarted.err)
        XCTAssertTrue(restarted.out.contains("stopped before its first checkpoint: starting it over"), restarted.out)
        let again = try runEmber(["train", "charlm", "--out", reused] + flags)
        XCTAssertEqual(again.status, 0, again.err)
        for run in [stopped, reused] {
            XCTAssertEqual(try bytes("\(run)/model.safetensors"), try bytes("\(whole)/model.safetensors"))
            XCTAssertEqual(try loggedEpochs(run), [1, 2])
        }
        let finished = try runEmber(["train", "charlm", "--out", reused] + flags)
        XCTAssertEqual(finished.status, 1)
        XCTAssertTrue(finished.err.contains("already holds a run"), finished.err)
    }

    func testAResumeThatCannotStartChangesNothing() throws {
        let run = path("run")
        XCTAssertEqual(try runEmber(["train", "charlm", "--out", run, "--corpus", corpus.path, "--embed", "8", "--hidden", "32",
                                     "--seq-len", "16", "--batch-size", "8", "--eval-every", "10", "--steps", "20"]).status, 0)
        func snapshot() throws -> [String: Data] {
            Dictionary(uniqueKeysWithValues: try FileManager.default.contentsOfDirectory(atPath: run).filter { $0 != ".lock" }.map { ($0, try bytes("\(run)/\($0)")) })
        }

        // A checkpoint holding a NaN, then one cut short.
        let checkpoint = URL(fileURLWithPath: "\(run)/checkpoint.safetensors")
        let original = try bytes(checkpoint.path)
        let (tensors, metadata) = try SafeTensors.read(checkpoint)
        let spoiled = tensors.map { entry -> (name: String, tensor: Tensor) in
            entry.name == "model.head.weight" ? (entry.name, entry.tensor * Double.nan) : entry
        }
        try SafeTensors.write(spoiled, metadata: metadata, to: checkpoint)
        var before = try snapshot()
        let nan = try runEmber(["train", "--resume", run, "--steps", "40"])
        XCTAssertEqual(nan.status, 1)
        XCTAssertTrue(nan.err.contains("NaN or infinite values (") && nan.err.contains("head.weight)"), nan.err)
        XCTAssertEqual(try snapshot(), before)

        try original.prefix(original.count / 2).write(to: checkpoint)
        before = try snapshot()
        let cut = try runEmber(["train", "--resume", run, "--steps", "40"])
        XCTAssertEqual(cut.status, 1)
        XCTAssertEqual(cut.err.split(separator: "\n").count, 1, cut.err)
        XCTAssertEqual(try snapshot(), before)
        try original.write(to: checkpoint)

        // Options the saved config decides are refused, not ignored.
        let hidden = try runEmber(["train", "charlm", "--resume", run, "--hidden", "64"])
        XCTAssertEqual(hidden.status, 1)
        XCTAssertTrue(hidden.err.contains("--hidden: --resume continues"), hidden.err)

        // `ember plot` does not write over a run's own files.
        for file in ["metrics.jsonl", "config.json", "model.safetensors"] {
            let plot = try runEmber(["plot", run, "--out", "\(run)/\(file)"])
            XCTAssertEqual(plot.status, 64, file)
            XCTAssertTrue(plot.err.contains("is a run directory's own file"), plot.err)
        }
        XCTAssertEqual(try snapshot(), before.merging(["checkpoint.safetensors": original]) { $1 })
    }

    func testAnEditedConfigIsCheckedAsTheCommandLineChecksIt() throws {
        let run = path("run")
        XCTAssertEqual(try runEmber(["train", "charlm", "--out", run, "--corpus", corpus.path, "--embed", "8", "--hidden", "32",
                                     "--seq-len", "16", "--batch-size", "8", "--eval-every", "10", "--steps", "10"]).status, 0)
        let saved = try XCTUnwrap(try JSONSerialization.jsonObject(with: bytes("\(run)/config.json")) as? [String: Any])
        let edits: [(part: String, key: String, value: Any, message: String)] = [
            ("training", "batch_size", 0, "batch_size must be positive"),
            ("training", "threads", 0, "threads must be from 1 to 1024"),
            ("training", "batch_size", 1 << 40, "batch_size 1099511627776 of samples of 16 values is more than"),
            ("training", "eval_every", Int.max, "too large to count with"),
            ("training", "steps", -5, "steps"),
            ("optimizer", "lr", -1, "lr must be positive"),
            ("model", "dropout", 5, "dropout must be in [0, 1)"),
            ("model", "arch", "transformer", "transformer"),
            ("model", "hidden", 10_000_000_000, "larger than this machine can train"),
            ("model", "layers", Int.max, "larger than this machine can train"),
            ("model", "vocab_size", 0, "vocab_size"),
        ]
        for edit in edits {
            var config = saved, part = try XCTUnwrap(saved[edit.part] as? [String: Any])
            part[edit.key] = edit.value
            config[edit.part] = part
            try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: "\(run)/config.json"))
            let resumed = try runEmber(["train", "--resume", run, "--steps", "20"])
            XCTAssertEqual(resumed.status, 1, "\(edit): \(resumed.err)")
            XCTAssertTrue(resumed.err.hasPrefix("error: ") && resumed.err.contains(edit.message), "\(edit): \(resumed.err)")
            XCTAssertEqual(resumed.err.split(separator: "\n").count, 1, resumed.err)
        }
    }

    func testOptionsTooLargeForTheMachineCreateNothing() throws {
        for (arguments, message) in [
            (["train", "mlp", "--hidden", "99999999999"], "larger than this machine can train"),
            (["train", "series", "--points", "99999999999"], "--points 99999999999 is more than"),
            (["train", "charlm", "--corpus", corpus.path, "--out", ""], "--out is empty"),
        ] {
            let run = path("run")
            let refused = try runEmber(arguments + (arguments.contains("--out") ? [] : ["--out", run]))
            XCTAssertNotEqual(refused.status, 0, "\(arguments)")
            XCTAssertTrue(refused.err.contains(message), refused.err)
            XCTAssertFalse(exists(run), "\(arguments)")
        }
    }
}
