import Ember
@testable import EmberAudio
import Foundation
import XCTest

/// The FFT, STFT, mel filterbanks, log-mels and MFCCs against numpy/scipy values made
/// by `Fixtures/make_audio_fixtures.py` (torchaudio's definitions and defaults).
final class AudioFeatureTests: XCTestCase {
    private static let fixtures: [String: Any] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/audio_fixtures.json")
        // swiftlint:disable:next force_try
        return try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }()

    private func numbers(_ value: Any?) -> [Double] {
        if let rows = value as? [[Double]] { return rows.flatMap { $0 } }
        return value as? [Double] ?? []
    }

    private var signal: [Double] { numbers(Self.fixtures["signal"]) }

    /// The largest difference relative to the reference's largest magnitude; NaN-proof
    /// (a NaN anywhere makes it NaN, which fails every `<` check).
    private func relativeError(_ actual: [Double], _ expected: [Double]) -> Double {
        XCTAssertEqual(actual.count, expected.count)
        let scale = expected.map(abs).reduce(0) { $1 > $0 ? $1 : $0 }
        var worst = 0.0
        for (a, e) in zip(actual, expected) {
            let d = abs(a - e)
            if d.isNaN || d > worst { worst = d }
        }
        return worst / Swift.max(scale, 1e-300)
    }

    func testFFTMatchesNumpyForEveryFactorisation() throws {
        for case let entry as [String: Any] in Self.fixtures["fft"] as? [Any] ?? [] {
            let n = entry["n"] as! Int
            let fft = FFT(size: n)
            let (re, im) = fft.transform(re: numbers(entry["re"]), im: numbers(entry["im"]))
            let error = relativeError(re + im, numbers(entry["out_re"]) + numbers(entry["out_im"]))
            // The fixture's values carry ten significant digits.
            XCTAssertLessThan(error, 1e-9, "n = \(n)")
            let (backRe, backIm) = fft.transform(re: re, im: im, inverse: true)
            XCTAssertLessThan(relativeError(backRe + backIm, numbers(entry["re"]) + numbers(entry["im"])), 1e-12, "inverse, n = \(n)")
        }
    }

    func testRealTransformsRoundTrip() {
        for n in [8, 9, 400, 512] {
            let x = (0..<n).map { sin(Double($0) * 0.37) + 0.1 * Double($0 % 3) }
            let fft = FFT(size: n)
            let (re, im) = fft.forward(real: x)
            XCTAssertEqual(re.count, n / 2 + 1)
            XCTAssertLessThan(relativeError(fft.inverse(re: re, im: im), x), 1e-12, "n = \(n)")
        }
    }

    func testSTFTMatchesNumpyWithReflectPaddingAndACentredWindow() throws {
        for case let entry as [String: Any] in Self.fixtures["stft"] as? [Any] ?? [] {
            let (nFFT, hop, win, length) = (entry["n_fft"] as! Int, entry["hop"] as! Int, entry["win"] as! Int, entry["length"] as! Int)
            let x = Tensor(Array(signal.prefix(length)))
            let (re, im) = stft(x, nFFT: nFFT, hopLength: hop, winLength: win)
            let expectedRe = entry["re"] as! [[Double]]
            XCTAssertEqual(re.shape, [nFFT / 2 + 1, expectedRe[0].count])
            XCTAssertLessThan(relativeError(re.doubles + im.doubles, numbers(entry["re"]) + numbers(entry["im"])), 1e-5, "\(nFFT)/\(hop)/\(win)")
            // Batched: each row is its own signal.
            let (batchRe, _) = stft(Tensor.stack([x, x * 2]), nFFT: nFFT, hopLength: hop, winLength: win)
            XCTAssertEqual(batchRe.shape, [2] + re.shape)
            XCTAssertLessThan(relativeError(batchRe[1].doubles, (re * 2).doubles), 1e-6)
        }
    }

    func testMelFilterbanksMatchBothScalesAndTheSlaneyNorm() throws {
        for case let entry as [String: Any] in Self.fixtures["fbanks"] as? [Any] ?? [] {
            let scale = MelScale(rawValue: entry["scale"] as! String)!
            let banks = melscaleFbanks(nFreqs: entry["n_freqs"] as! Int, fMin: entry["f_min"] as! Double, fMax: entry["f_max"] as! Double,
                                       nMels: entry["n_mels"] as! Int, sampleRate: entry["rate"] as! Int,
                                       slaneyNorm: entry["norm"] as! Bool, melScale: scale)
            XCTAssertEqual(banks.shape, [entry["n_freqs"] as! Int, entry["n_mels"] as! Int])
            XCTAssertLessThan(relativeError(banks.doubles, numbers(entry["values"])), 1e-6, "\(entry["scale"]!), norm \(entry["norm"]!)")
        }
        for scale in MelScale.allCases {
            for hertz in [0.0, 300, 999, 1000, 1001, 4000, 11025] {
                XCTAssertEqual(scale.hertz(scale.mel(hertz)), hertz, accuracy: 1e-9 * Swift.max(hertz, 1), "\(scale)")
            }
        }
        XCTAssertEqual(MelScale.slaney.mel(1000), 15, accuracy: 1e-12)
    }

    func testLogMelAndMFCCMatchTorchaudiosDefaults() throws {
        let waveform = Tensor(signal).to(.float32)
        let mel = MelSpectrogram()
        XCTAssertEqual(mel.fbanks.shape, [201, 128])
        let logMel = AmplitudeToDB(topDB: 80)(mel(waveform))
        XCTAssertEqual(logMel.shape, [128, 21])
        XCTAssertLessThan(relativeError(logMel.doubles, numbers(Self.fixtures["log_mel"])), 1e-3)
        let mfcc = MFCC()(waveform)
        XCTAssertEqual(mfcc.shape, [40, 21])
        XCTAssertLessThan(relativeError(mfcc.doubles, numbers(Self.fixtures["mfcc"])), 1e-3)
    }

    func testHannWindowIsTorchs() {
        XCTAssertEqual(hannWindow(4).doubles, [0, 0.5, 1, 0.5])
        XCTAssertEqual(hannWindow(5, periodic: false).doubles, [0, 0.5, 1, 0.5, 0], "symmetric")
        XCTAssertEqual(hannWindow(1).doubles, [1])
    }

    func testTheFloorIsPerSpectrogram() {
        let x = Tensor([1, 1e-12, 100, 1e-3] as [Float], shape: [2, 1, 2])
        XCTAssertEqual(AmplitudeToDB(topDB: 20)(x).doubles.map { ($0 * 1000).rounded() / 1000 }, [0, -20, 20, 0])
        XCTAssertEqual(AmplitudeToDB()(Tensor([0] as [Float])).item(), -100, accuracy: 1e-4, "clamped at 1e-10")
    }

    /// A band-limited sine resampled is the same sine at the new rate, away from the
    /// edges (where the filters read zeros), for down- and up-sampling.
    func testResamplingKeepsASineAndTheLengthIsTorchaudios() {
        for (from, to) in [(22_050, 16_000), (16_000, 22_050), (48_000, 16_000), (8_000, 16_000)] {
            let seconds = 0.25, hertz = 440.0
            let source = Tensor((0..<Int(Double(from) * seconds)).map { Float(sin(2 * Double.pi * hertz * Double($0) / Double(from))) })
            let resampled = Resample(origFreq: from, newFreq: to)(source)
            XCTAssertEqual(resampled.shape, [(to * source.numel + from - 1) / from], "\(from) → \(to)")
            let values = resampled.doubles, margin = to / 50
            var worst = 0.0
            for n in margin..<(values.count - margin) {
                let d = abs(values[n] - sin(2 * Double.pi * hertz * Double(n) / Double(to)))
                if d.isNaN || d > worst { worst = d }
            }
            XCTAssertLessThan(worst, 2e-3, "\(from) → \(to)")
        }
        let stereo = Tensor((0..<200).map { Float($0 % 7) }, shape: [2, 100])
        XCTAssertEqual(Resample(origFreq: 16_000, newFreq: 16_000)(stereo).floats, stereo.floats)
        XCTAssertEqual(Resample(origFreq: 16_000, newFreq: 8_000)(stereo).shape, [2, 50])
        // 22,050 → 16,000 reduces to 441 → 320: 320 filters of 459 taps. 44,101 Hz does not reduce.
        XCTAssertEqual(Resample.kernelElements(origFreq: 22_050, newFreq: 16_000), 320 * 459)
        XCTAssertTrue(Resample.isPractical(origFreq: 48_000, newFreq: 16_000))
        XCTAssertFalse(Resample.isPractical(origFreq: 44_101, newFreq: 16_000))
        XCTAssertFalse(Resample.isPractical(origFreq: 9_999_991, newFreq: 16_000))
    }
}
