import Ember
import EmberAudio
import Foundation
import XCTest

/// WAV files: exact round trips in both encodings, what other writers produce
/// (extensible headers, extra chunks, odd-sized chunks), and one-line errors for
/// everything else.
final class WAVTests: XCTestCase {
    func testRoundTripsAreExact() throws {
        let pcm = (0..<1000).map { Float(Int16(truncatingIfNeeded: $0 * 977 - 30_000)) / 32768 }
        for (channels, encoding) in [(1, WAV.Encoding.pcm16), (2, .pcm16), (1, .float32), (3, .float32)] {
            let values = (0..<channels).flatMap { c in pcm.map { encoding == .pcm16 ? $0 : $0 * 0.731 + Float(c) * 1e-7 } }
            let waveform = Tensor(values, shape: [channels, pcm.count])
            let (read, rate) = try WAV.decode(WAV.encode(waveform, sampleRate: 22_050, encoding: encoding))
            XCTAssertEqual(rate, 22_050)
            XCTAssertEqual(read.shape, [channels, pcm.count])
            XCTAssertEqual(read.floats, waveform.floats, "\(channels) channels, \(encoding)")
        }
        // A mono [frames] tensor is one channel; out-of-range samples clip.
        let (clipped, _) = try WAV.decode(WAV.encode(Tensor([2, -2, 0.5] as [Float]), sampleRate: 8000))
        XCTAssertEqual(clipped.floats, [32767.0 / 32768, -1, 0.5])
    }

    func testHeadersOtherWritersProduceAreRead() throws {
        let plain = WAV.encode(Tensor([0.25, -0.5] as [Float], shape: [1, 2]), sampleRate: 16_000)
        // An odd-sized LIST chunk (padded to even) before the data, and fmt extensible.
        var file = Data(plain.prefix(12))
        var fmt = Data(plain[12..<36])
        fmt.replaceSubrange(4..<8, with: [40, 0, 0, 0])
        fmt.replaceSubrange(8..<10, with: [0xFE, 0xFF])
        fmt.append(contentsOf: [22, 0, 16, 0, 0, 0, 0, 0, 1, 0] + [UInt8](repeating: 0, count: 14))
        file.append(fmt)
        file.append(contentsOf: Array("LIST".utf8) + [3, 0, 0, 0, 1, 2, 3, 0])
        file.append(plain[36...])
        let (waveform, rate) = try WAV.decode(file)
        XCTAssertEqual(rate, 16_000)
        XCTAssertEqual(waveform.floats, [0.25, -0.5])
    }

    func testBadFilesAreOneLineErrors() throws {
        let good = WAV.encode(Tensor([0.1, 0.2, 0.3, 0.4] as [Float]), sampleRate: 16_000)
        func message(_ data: Data) -> String {
            do {
                _ = try WAV.decode(data, name: "x.wav")
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        XCTAssertEqual(message(Data("hello".utf8)), "x.wav: not a WAV file (no RIFF/WAVE header)")
        XCTAssertEqual(message(good.prefix(good.count - 3)), "x.wav: its 'data' chunk announces 8 bytes but 5 follow: the file is truncated")
        var alaw = good
        alaw[20] = 6
        XCTAssertEqual(message(alaw), "x.wav: A-law is not supported: Ember reads 16-bit PCM and 32-bit float WAV files")
        var eightBit = good
        eightBit[34] = 8
        XCTAssertTrue(message(eightBit).contains("8-bit PCM is not supported"))
        var noChannels = good
        noChannels[22] = 0
        XCTAssertEqual(message(noChannels), "x.wav: 0 channels")
        var huge = good
        huge.replaceSubrange(40..<44, with: [0xFF, 0xFF, 0xFF, 0xFF])
        XCTAssertTrue(message(huge).contains("announces 4294967295 bytes"))
        XCTAssertEqual(message(good.prefix(36)), "x.wav: no data chunk")
        let nan = WAV.encode(Tensor([Float.nan] as [Float]), sampleRate: 8000, encoding: .float32)
        XCTAssertEqual(message(nan), "x.wav: its samples hold NaN or infinite values")
        XCTAssertThrowsError(try WAV.read(URL(fileURLWithPath: "/nonexistent.wav"))) {
            XCTAssertEqual("\($0)", "cannot read /nonexistent.wav: no such file")
        }
    }
}
