import Ember
import Foundation

/// WAV files (RIFF/WAVE), as `torchaudio.load` and `torchaudio.save` read and write
/// them: 16-bit PCM or 32-bit float samples, any number of channels, any rate. A
/// waveform is `[channels, frames]` float32 in [−1, 1] (16-bit samples divided by
/// 32,768). Every size in a file is checked against the file before it is used.
public enum WAV {
    /// How samples are stored.
    public enum Encoding: Sendable {
        /// Signed 16-bit integers (format 1), `round(x · 32768)` clamped to their range:
        /// the exact inverse of reading.
        case pcm16
        /// IEEE 32-bit floats (format 3).
        case float32
    }

    /// The waveform `[channels, frames]` and sample rate of the WAV file at `url`.
    public static func read(_ url: URL) throws -> (waveform: Tensor, sampleRate: Int) {
        let data: Data
        do {
            data = try RegularFile.contents(of: url)
        } catch {
            throw AudioError("cannot read \(error)")
        }
        return try decode(data, name: url.path)
    }

    /// The waveform and sample rate of a WAV file's bytes; `name` is used in errors.
    public static func decode(_ data: Data, name: String = "WAV data") throws -> (waveform: Tensor, sampleRate: Int) {
        let bytes = [UInt8](data)
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
        func tag(_ at: Int) -> String { String(decoding: bytes[at..<(at + 4)], as: UTF8.self) }
        guard bytes.count >= 12, tag(0) == "RIFF", tag(8) == "WAVE" else { throw AudioError("\(name): not a WAV file (no RIFF/WAVE header)") }
        var format: (tag: Int, channels: Int, rate: Int, blockAlign: Int, bits: Int)?
        var samples: Range<Int>?
        var at = 12
        while at + 8 <= bytes.count {
            let id = tag(at), size = u32(at + 4), start = at + 8
            guard size <= bytes.count - start else {
                throw AudioError("\(name): its '\(id)' chunk announces \(size) bytes but \(bytes.count - start) follow: the file is truncated")
            }
            if id == "fmt " {
                guard size >= 16 else { throw AudioError("\(name): its fmt chunk has \(size) bytes, fewer than 16") }
                var code = u16(start)
                // WAVE_FORMAT_EXTENSIBLE names the real format in its sub-format GUID.
                if code == 0xFFFE && size >= 40 { code = u16(start + 24) }
                format = (code, u16(start + 2), u32(start + 4), u16(start + 12), u16(start + 14))
            } else if id == "data", samples == nil {
                samples = start..<(start + size)
            }
            at = start + size + size % 2
        }
        guard let format else { throw AudioError("\(name): no fmt chunk") }
        guard let samples else { throw AudioError("\(name): no data chunk") }
        let kind: Encoding
        switch (format.tag, format.bits) {
        case (1, 16): kind = .pcm16
        case (3, 32): kind = .float32
        default:
            throw AudioError("\(name): \(describe(format.tag, format.bits)) is not supported: Ember reads 16-bit PCM and 32-bit float WAV files")
        }
        guard (1...1024).contains(format.channels) else { throw AudioError("\(name): \(format.channels) channels") }
        guard (1...10_000_000).contains(format.rate) else { throw AudioError("\(name): a sample rate of \(format.rate) Hz") }
        let frameBytes = format.channels * format.bits / 8
        guard format.blockAlign == frameBytes else {
            throw AudioError("\(name): block align \(format.blockAlign) is not \(format.channels) channels of \(format.bits / 8) bytes")
        }
        let frames = samples.count / frameBytes
        var values = [Float](repeating: 0, count: format.channels * frames)
        for frame in 0..<frames {
            for channel in 0..<format.channels {
                let offset = samples.lowerBound + frame * frameBytes + channel * format.bits / 8
                let value: Float
                switch kind {
                case .pcm16: value = Float(Int16(truncatingIfNeeded: u16(offset))) / 32768
                case .float32: value = Float(bitPattern: UInt32(u32(offset)))
                }
                values[channel * frames + frame] = value
            }
        }
        guard values.allSatisfy(\.isFinite) else { throw AudioError("\(name): its samples hold NaN or infinite values") }
        return (Tensor(values, shape: [format.channels, frames]), format.rate)
    }

    /// The bytes of a WAV file holding `waveform` (`[channels, frames]`, or `[frames]`
    /// for mono) at `sampleRate`, its samples stored as `encoding`.
    public static func encode(_ waveform: Tensor, sampleRate: Int, encoding: Encoding = .pcm16) -> Data {
        precondition(waveform.ndim == 1 || waveform.ndim == 2, "WAV.encode: waveform must be [frames] or [channels, frames], got \(OpMessage.format(waveform.shape))")
        precondition(sampleRate > 0, "WAV.encode: sample rate must be positive, got \(sampleRate)")
        let channels = waveform.ndim == 1 ? 1 : waveform.shape[0], frames = waveform.shape[waveform.ndim - 1]
        let values = waveform.to(.float32).contiguous().floats
        let width = encoding == .pcm16 ? 2 : 4, dataBytes = channels * frames * width
        var out = Data()
        func append(_ text: String) { out.append(contentsOf: Array(text.utf8)) }
        func append16(_ value: Int) { out.append(contentsOf: [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF)]) }
        func append32(_ value: Int) { append16(value & 0xFFFF); append16(value >> 16 & 0xFFFF) }
        append("RIFF"); append32(36 + dataBytes); append("WAVE")
        append("fmt "); append32(16); append16(encoding == .pcm16 ? 1 : 3); append16(channels)
        append32(sampleRate); append32(sampleRate * channels * width); append16(channels * width); append16(width * 8)
        append("data"); append32(dataBytes)
        out.reserveCapacity(out.count + dataBytes)
        for frame in 0..<frames {
            for channel in 0..<channels {
                let x = values[channel * frames + frame]
                switch encoding {
                case .pcm16:
                    let scaled = (Double(x) * 32768).rounded()
                    append16(Int(Int16(scaled.isNaN ? 0 : Swift.min(Swift.max(scaled, -32768), 32767))) & 0xFFFF)
                case .float32:
                    append32(Int(x.bitPattern))
                }
            }
        }
        return out
    }

    /// Writes `waveform` as a WAV file at `url`, atomically.
    public static func write(_ waveform: Tensor, sampleRate: Int, to url: URL, encoding: Encoding = .pcm16) throws {
        do {
            try encode(waveform, sampleRate: sampleRate, encoding: encoding).write(to: url, options: .atomic)
        } catch {
            throw AudioError("cannot write \(url.path): \(error.localizedDescription)")
        }
    }

    /// A format's name for people.
    private static func describe(_ tag: Int, _ bits: Int) -> String {
        switch tag {
        case 1: return "\(bits)-bit PCM"
        case 3: return "\(bits)-bit float"
        case 6: return "A-law"
        case 7: return "µ-law"
        case 2, 0x11: return "ADPCM"
        default: return "format \(tag) (\(bits)-bit)"
        }
    }
}
