import Ember
import EmberAudio
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest

/// `ember spectrogram` end to end: an image of any WAV a user brings, and one-line
/// errors that write nothing for files it cannot read.
final class SpectrogramCommandTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ember-spectrogram-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func testAStereoFileAtAnyRateIsDrawn() throws {
        // Half a second at 22,050 Hz: a 440 Hz tone left, 2 kHz right.
        let frames = 11_025
        let left = (0..<frames).map { Float(0.5 * sin(2 * Double.pi * 440 * Double($0) / 22_050)) }
        let right = (0..<frames).map { Float(0.25 * sin(2 * Double.pi * 2_000 * Double($0) / 22_050)) }
        try WAV.write(Tensor(left + right, shape: [2, frames]), sampleRate: 22_050, to: URL(fileURLWithPath: path("tone.wav")))
        let drawn = try runEmber(["spectrogram", path("tone.wav")])
        XCTAssertEqual(drawn.status, 0, drawn.err)
        XCTAssertEqual(drawn.out, "wrote \(path("tone.svg")): 51 frames of 80 mel bands (0.50 s at 22050 Hz, 2 channels)\n")
        let svg = try String(contentsOfFile: path("tone.svg"), encoding: .utf8)
        XCTAssertTrue(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>\n"))
        XCTAssertTrue(svg.contains("time (s)") && svg.contains("frequency (Hz, mel scale)") && svg.contains(">4k<"))
        XCTAssertGreaterThan(svg.components(separatedBy: "<rect").count, 200)
        XCTAssertNoThrow(try XMLDocument(xmlString: svg))
    }

    func testFilesItCannotReadGetOneLineAndWriteNothing() throws {
        let good = WAV.encode(Tensor([Float](repeating: 0.1, count: 4000)), sampleRate: 16_000)
        var eightBit = good
        eightBit[34] = 8
        let cases: [(String, Data, String)] = [
            ("cut.wav", good.prefix(1000), "the file is truncated"),
            ("eight.wav", eightBit, "8-bit PCM is not supported"),
            ("text.wav", Data("not audio".utf8), "not a WAV file"),
            ("empty.wav", WAV.encode(Tensor([Float]()), sampleRate: 16_000), "holds no samples"),
            ("short.wav", WAV.encode(Tensor([Float](repeating: 0, count: 100)), sampleRate: 16_000), "too short for one 25 ms window"),
            ("odd.wav", WAV.encode(Tensor([Float](repeating: 0.1, count: 4000)), sampleRate: 44_101), "its rate of 44101 Hz cannot be resampled"),
        ]
        for (name, data, message) in cases {
            try data.write(to: URL(fileURLWithPath: path(name)))
            let refused = try runEmber(["spectrogram", path(name)])
            XCTAssertEqual(refused.status, 1, name)
            XCTAssertTrue(refused.err.hasPrefix("error: ") && refused.err.contains(message), "\(name): \(refused.err)")
            XCTAssertEqual(refused.err.split(separator: "\n").count, 1)
            XCTAssertFalse(FileManager.default.fileExists(atPath: path(name).replacingOccurrences(of: ".wav", with: ".svg")), name)
        }
        try good.write(to: URL(fileURLWithPath: path("in.wav")))
        let overwrite = try runEmber(["spectrogram", path("in.wav"), "--out", path("in.wav")])
        XCTAssertEqual(overwrite.status, 64)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path("in.wav"))), good)
    }
}
