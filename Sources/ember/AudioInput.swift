import Ember
import EmberAudio
import Foundation

/// A WAV file as the speech commands hear it: its channels averaged to one and
/// resampled to `sampleRate`.
struct AudioInput {
    /// `[samples]` at `sampleRate`.
    let mono: Tensor
    /// The file's own rate, channels and length in seconds.
    let fileRate: Int, channels: Int, seconds: Double

    /// Reads `file`; throws one line for a file that is not a WAV Ember reads, holds no
    /// samples, or has a rate that cannot be brought to `sampleRate`.
    init(_ file: String, sampleRate: Int) throws {
        let (waveform, rate) = try WAV.read(URL(fileURLWithPath: file))
        guard waveform.shape[1] > 0 else { throw CLIError("\(file) holds no samples") }
        guard Resample.isPractical(origFreq: rate, newFreq: sampleRate) else {
            throw CLIError("\(file): its rate of \(rate) Hz cannot be resampled to \(sampleRate) Hz (their ratio reduces to no small fraction)")
        }
        mono = Resample(origFreq: rate, newFreq: sampleRate)(waveform.mean(dims: [0]))
        (fileRate, channels, seconds) = (rate, waveform.shape[0], Double(waveform.shape[1]) / Double(rate))
    }
}
