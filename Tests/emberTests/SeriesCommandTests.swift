import Foundation
import XCTest

/// `ember train series` end to end: it beats the last-value forecast, and bad files get
/// one line.
final class SeriesCommandTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ember-series-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func testForecasterBeatsTheLastValue() throws {
        let run = directory.appendingPathComponent("run").path
        let result = try runEmber(["train", "series", "--points", "1500", "--hidden", "24", "--epochs", "15", "--batch-size", "32", "--window", "32", "--out", run])
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertTrue(result.out.contains("last value"), result.out)
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(run)/summary.json"))) as! [String: Any]
        let model = summary["test_rmse"] as! Double, naive = summary["naive_rmse"] as! Double
        XCTAssertLessThan(model, 0.85 * naive, "model \(model) against last value \(naive)")
        XCTAssertEqual(summary["test_windows"] as? Int, 225)
    }

    func testBadSeriesFilesGetOneLine() throws {
        let file = directory.appendingPathComponent("short.txt")
        try "1\n2\n3\n".write(to: file, atomically: true, encoding: .utf8)
        let run = directory.appendingPathComponent("run").path
        let short = try runEmber(["train", "series", "--csv", file.path, "--out", run])
        XCTAssertEqual(short.status, 1)
        XCTAssertEqual(short.err, "error: \(file.path) has 3 values: too few for --window 48 and --horizon 1 in a 70/15/15 split\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: run))
        try "1\n2\nthree\n".write(to: file, atomically: true, encoding: .utf8)
        XCTAssertEqual(try runEmber(["train", "series", "--csv", file.path, "--out", run]).err, "error: \(file.path), line 3: 'three' is not a number\n")
    }
}
