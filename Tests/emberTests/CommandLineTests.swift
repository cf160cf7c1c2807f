import Foundation
import XCTest

/// The `ember` tool end to end, on a small generated data set in Fashion-MNIST's
/// file format: a run directory with every file, resume, eval, predict, and one-line
/// errors for bad input that leave existing runs alone.
final class CommandLineTests: XCTestCase {
    private var directory: URL!
    private var data: URL { directory.appendingPathComponent("data") }

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ember-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        // Class c lights up row band c of the image, plus noise: easy to learn.
        var rng = SystemRandomNumberGenerator()
        for (prefix, count) in [("train", 300), ("t10k", 60)] {
            var images = [UInt8](), labels = [UInt8]()
            for i in 0..<count {
                let c = i % 10
                labels.append(UInt8(c))
                for row in 0..<28 {
                    for _ in 0..<28 { images.append(row / 3 == c ? 200 : UInt8.random(in: 0...60, using: &rng)) }
                }
            }
            try idx([count, 28, 28], images).write(to: data.appendingPathComponent("\(prefix)-images-idx3-ubyte"))
            try idx([count], labels).write(to: data.appendingPathComponent("\(prefix)-labels-idx1-ubyte"))
        }
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    private func ember(_ arguments: [String]) throws -> (status: Int32, out: String, err: String) { try runEmber(arguments) }

    private func json(_ path: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
    }

    /// The `__metadata__` of a safetensors file, read from its JSON header.
    private func metadata(_ path: String) throws -> [String: String] {
        let file = try Data(contentsOf: URL(fileURLWithPath: path))
        let length = file.prefix(8).reversed().reduce(0) { $0 << 8 | Int($1) }
        let header = try JSONSerialization.jsonObject(with: file.subdata(in: 8..<8 + length)) as! [String: Any]
        return header["__metadata__"] as! [String: String]
    }

    /// The model config a model file carries as JSON.
    private func savedConfig(_ path: String) throws -> [String: Any] {
        let json = try XCTUnwrap(try metadata(path)["config"])
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    }

    func testTrainResumeEvalAndPredict() throws {
        let run = directory.appendingPathComponent("run").path, board = directory.appendingPathComponent("tb").path
        let trained = try ember(["train", "mlp", "--data", data.path, "--out", run, "--epochs", "2", "--val-size", "50",
                                 "--hidden", "32", "--batch-size", "25", "--lr", "0.01", "--patience", "3",
                                 "--tensorboard", board, "--log-every", "3"])
        XCTAssertEqual(trained.status, 0, trained.err)
        for file in ["config.json", "metrics.jsonl", "steps.jsonl", "curves.svg", "summary.json", "model.safetensors",
                     "checkpoint.safetensors"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: "\(run)/\(file)"), file)
        }
        let summary = try json("\(run)/summary.json")
        for key in ["test_loss", "test_accuracy", "best_val_loss", "epochs", "steps", "train_samples_per_sec", "wall_s"] {
            XCTAssertNotNil(summary[key], key)
        }
        XCTAssertGreaterThan(summary["test_accuracy"] as! Double, 0.8)
        // The generated pixels: 78.4 of 784 at 200 on average (class 9's band is one row),
        // the rest uniform over 0...60; so mean 0.1843 and standard deviation 0.2105.
        let config = try json("\(run)/config.json")
        let machine = try XCTUnwrap(config["machine"] as? [String: Any], "config.json records the machine")
        let blas = try XCTUnwrap(machine["blas"] as? [String: Any])
        XCTAssertFalse((blas["core"] as? String ?? "").isEmpty, "the BLAS kernel set")
        XCTAssertNotNil((machine["cpu"] as? [String: Any])?["features"])
        let model = try XCTUnwrap(config["model"] as? [String: Any])
        XCTAssertEqual(model["kind"] as? String, "mlp")
        XCTAssertEqual(model["hidden"] as? [Int], [32])
        XCTAssertEqual((config["optimizer"] as? [String: Any])?["lr"] as? Double, 0.01)
        XCTAssertEqual((config["training"] as? [String: Any])?["batch_size"] as? Int, 25)
        let normalization = try XCTUnwrap(model["normalization"] as? [String: Double])
        XCTAssertEqual(normalization["mean"]!, 0.1843, accuracy: 0.005)
        XCTAssertEqual(normalization["std"]!, 0.2105, accuracy: 0.005)
        let saved = try XCTUnwrap(try savedConfig("\(run)/model.safetensors")["normalization"] as? [String: Double],
                                  "the model file carries the statistics")
        // (Foundation's JSON reader may miss a float64's last bit.)
        XCTAssertEqual(saved["mean"]!, normalization["mean"]!, accuracy: 1e-15)
        XCTAssertEqual(saved["std"]!, normalization["std"]!, accuracy: 1e-15)

        let resumed = try ember(["train", "--resume", run, "--epochs", "3", "--log-every", "3"])
        XCTAssertEqual(resumed.status, 0, resumed.err)
        XCTAssertTrue(resumed.out.contains("resuming \(run) after epoch 2 of 3"), resumed.out)
        let lines = try String(contentsOfFile: "\(run)/metrics.jsonl", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 3)
        // 250 training images in batches of 25: 10 steps an epoch, a loss point every 3 steps, none repeated on resuming.
        let steps = try String(contentsOfFile: "\(run)/steps.jsonl", encoding: .utf8).split(separator: "\n").map {
            (try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any])["step"] as! Int
        }
        XCTAssertEqual(steps, Array(stride(from: 3, through: 30, by: 3)))
        let eventFiles = try FileManager.default.contentsOfDirectory(atPath: board).filter { $0.hasPrefix("events.out.tfevents.") }
        XCTAssertEqual(eventFiles.count, 1, "the resumed run logged no TensorBoard files: it was not asked to")
        XCTAssertTrue(try String(contentsOfFile: "\(run)/curves.svg", encoding: .utf8).contains("<polyline"))

        let plotted = try ember(["plot", run, "--out", directory.appendingPathComponent("plot.svg").path, "--title", "mlp & friends"])
        XCTAssertEqual(plotted.status, 0, plotted.err)
        let svg = try String(contentsOfFile: directory.appendingPathComponent("plot.svg").path, encoding: .utf8)
        XCTAssertTrue(svg.contains(">mlp &amp; friends</text>"), "the title, escaped")
        let notARun = try ember(["plot", run, data.path])
        XCTAssertEqual(notARun.err, "error: \(data.path) is not a run directory: it has no readable metrics.jsonl\n")

        let evaluated = try ember(["eval", "--checkpoint", run, "--data", data.path])
        XCTAssertEqual(evaluated.status, 0, evaluated.err)
        let finalLoss = try json("\(run)/summary.json")["test_loss"] as! Double
        XCTAssertTrue(evaluated.out.hasPrefix(String(format: "mlp: test loss %.4f,", finalLoss)),
                      "the model file alone (its normalisation included) gives the run's test loss: \(evaluated.out)")
        let predicted = try ember(["predict", "--checkpoint", "\(run)/model.safetensors", "--index", "3", "--data", data.path])
        XCTAssertEqual(predicted.status, 0, predicted.err)
        XCTAssertTrue(predicted.out.hasPrefix("image 3 (Dress): "), predicted.out)
        XCTAssertEqual(predicted.out.split(separator: "\n").count, 11, "the answer and ten probabilities")
    }

    /// Without `--patience` or `--val-size` every training image is trained on, as the
    /// reference recipes do; `--no-normalize` leaves the pixels as they are.
    func testDefaultsHoldNothingOutAndNoNormalizeKeepsThePixels() throws {
        let run = directory.appendingPathComponent("raw").path
        let trained = try ember(["train", "cnn", "--data", data.path, "--out", run, "--epochs", "1", "--no-normalize"])
        XCTAssertEqual(trained.status, 0, trained.err)
        XCTAssertTrue(trained.out.contains("on 300 images, validating on 0"), trained.out)
        let config = try json("\(run)/config.json")
        XCTAssertEqual(((config["data"] as? [String: Any])?["images"] as? [String: Any])?["val_size"] as? Int, 0)
        XCTAssertNil((config["model"] as? [String: Any])?["normalization"])
        XCTAssertEqual(try metadata("\(run)/model.safetensors")["model"], "cnn")
        XCTAssertNil(try savedConfig("\(run)/model.safetensors")["normalization"])
    }

    func testBadInputGetsOneLineAndLosesNothing() throws {
        let run = directory.appendingPathComponent("run").path
        XCTAssertEqual(try ember(["train", "mlp", "--data", data.path, "--out", run, "--epochs", "1", "--val-size", "50"]).status, 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: "\(run)/model.safetensors"))

        // An edited config.json with a name or value no run can take: one line, the run untouched.
        let configURL = URL(fileURLWithPath: "\(run)/config.json")
        let saved = try String(contentsOf: configURL, encoding: .utf8)
        for (from, to, expected) in [("\"kind\" : \"adam\"", "\"kind\" : \"lion\"", "optimizer.kind: 'lion' is not sgd, adam or adamw"),
                                     ("\"kind\" : \"mlp\"", "\"kind\" : \"rnn\"", "model.kind: 'rnn' is not mlp, cnn, perceptron, charlm, gpt, bert, series, recognizer or synthesizer"),
                                     ("\"batch_size\" : 128", "\"batch_size\" : 0", "batch_size must be positive, got 0"),
                                     ("\"batch_size\" : 128", "\"batch_size\" : \"many\"", "training.batch_size is not an integer")] {
            XCTAssertTrue(saved.contains(from), from)
            try saved.replacingOccurrences(of: from, with: to).write(to: configURL, atomically: true, encoding: .utf8)
            let edited = try ember(["train", "--resume", run, "--epochs", "3"])
            XCTAssertEqual(edited.err, "error: \(run)/config.json: \(expected)\n")
        }
        try saved.write(to: configURL, atomically: true, encoding: .utf8)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: "\(run)/model.safetensors")), before)

        let again = try ember(["train", "mlp", "--data", data.path, "--out", run])
        XCTAssertNotEqual(again.status, 0)
        XCTAssertEqual(again.err, "error: \(run) already holds a run: continue it with --resume \(run), or choose another --out\n")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: "\(run)/model.safetensors")), before)

        let missing = try ember(["train", "cnn", "--data", directory.appendingPathComponent("nowhere").path,
                                 "--out", directory.appendingPathComponent("other").path])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.err.contains("train-images-idx3-ubyte.gz: install it with `apt-get install dataset-fashion-mnist`"), missing.err)
        XCTAssertEqual(missing.err.split(separator: "\n").count, 1)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("other").path),
                       "no run directory is left behind when the data is missing")

        let tooMany = try ember(["train", "mlp", "--data", data.path, "--out", directory.appendingPathComponent("third").path, "--patience", "2"])
        XCTAssertNotEqual(tooMany.status, 0)
        XCTAssertEqual(tooMany.err, "error: holding out 5000 images for validation (--val-size) leaves none to train on: the training set has 300\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("third").path))

        let fourth = directory.appendingPathComponent("fourth").path
        let badBoard = try ember(["train", "mlp", "--data", data.path, "--out", fourth, "--val-size", "50",
                                  "--tensorboard", "/proc/ember-no"])
        XCTAssertEqual(badBoard.err, "error: --tensorboard /proc/ember-no: cannot create the folder /proc/ember-no\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: fourth), "no run directory when its TensorBoard folder fails")

        let badOption = try ember(["train", "mlp", "--lr=-1"])
        XCTAssertNotEqual(badOption.status, 0)
        XCTAssertTrue(badOption.err.contains("--lr must be positive"), badOption.err)

        let garbage = directory.appendingPathComponent("garbage.safetensors")
        try Data([1, 2, 3, 4, 5, 6, 7, 8, 9]).write(to: garbage)
        let broken = try ember(["eval", "--checkpoint", garbage.path, "--data", data.path])
        XCTAssertNotEqual(broken.status, 0)
        XCTAssertTrue(broken.err.hasPrefix("error: invalid safetensors: \(garbage.path): header length"), broken.err)

        let outOfRange = try ember(["predict", "--checkpoint", run, "--index", "60", "--data", data.path])
        XCTAssertNotEqual(outOfRange.status, 0)
        XCTAssertEqual(outOfRange.err, "error: --index 60 is outside the test set's 0..<60\n")
    }
}
