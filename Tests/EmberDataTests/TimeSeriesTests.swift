import Foundation
import XCTest
import Ember
import EmberData

/// Series files, the synthetic series and forecasting windows.
final class TimeSeriesTests: XCTestCase {
    func testWindowsAreRelativeToTheLastValueAndScaled() {
        let windows = ForecastWindows([1, 2, 4, 7, 11, 16], window: 3, horizon: 2, scale: 2)
        XCTAssertEqual(windows.count, 2)
        XCTAssertEqual(windows.anchor(1), 7)
        XCTAssertEqual(Array(windows.future(1)), [11, 16])
        let batch = windows.batch([1])
        XCTAssertEqual(batch.inputs.shape, [1, 3, 1])
        XCTAssertEqual(batch.inputs.doubles, [-2.5, -1.5, 0])
        XCTAssertEqual(batch.targets.doubles, [2, 4.5])
    }

    func testSyntheticSeriesIsSeededAndTrends() {
        let a = TimeSeries.sinesWithTrend(count: 1000, seed: 1)
        XCTAssertEqual(a, TimeSeries.sinesWithTrend(count: 1000, seed: 1))
        XCTAssertNotEqual(a, TimeSeries.sinesWithTrend(count: 1000, seed: 2))
        // Without noise, the value at t = 650 (a multiple of both periods) is the trend alone.
        XCTAssertEqual(TimeSeries.sinesWithTrend(count: 1000, noise: 0)[650], 13, accuracy: 1e-9)
    }

    func testFilesSkipAHeaderAndNameBadLines() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("series-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: url) }
        try "month,passengers\n1949-01,112\n1949-02,118\n\n1949-03,132\n".write(to: url, atomically: true, encoding: .utf8)
        XCTAssertEqual(try TimeSeries.read(path: url.path), [112, 118, 132])
        try "1.5\n2.5\nabc\n".write(to: url, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try TimeSeries.read(path: url.path)) { XCTAssertEqual("\($0)", "\(url.path), line 3: 'abc' is not a number") }
        XCTAssertThrowsError(try TimeSeries.read(path: "/nonexistent.csv")) { XCTAssertEqual("\($0)", "cannot read /nonexistent.csv: no such file") }
        XCTAssertThrowsError(try TimeSeries.read(path: "/dev/zero")) { XCTAssertEqual("\($0)", "cannot read /dev/zero: not a regular file") }
    }

    /// "\r\n" is one Character in Swift, so splitting on "\n" alone read a Windows file
    /// as one line: "0 values".
    func testWindowsLineEndingsAndOldMacOnesReadAsLines() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("series-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: url) }
        for ending in ["\r\n", "\r", "\n"] {
            try Data(["month,passengers", "1949-01,112", "1949-02,118", "", "1949-03,132"].joined(separator: ending).utf8).write(to: url)
            XCTAssertEqual(try TimeSeries.read(path: url.path), [112, 118, 132], ending.debugDescription)
        }
    }
}
