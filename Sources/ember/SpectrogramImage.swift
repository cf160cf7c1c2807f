import EmberTrain
import Foundation

/// A log-mel spectrogram as an SVG image: time across, mel bands up, decibels as
/// colour (viridis), with a time axis in seconds, a frequency axis in hertz at its mel
/// positions, and a colour bar; several stack into one image to compare.
struct SpectrogramImage {
    /// Decibels, `bands × frames`, row-major, band 0 lowest.
    let decibels: [Double]
    let bands: Int, frames: Int
    /// Seconds between frames.
    let frameSeconds: Double
    /// Hertz at the bottom and top band edges and the mel positions of labelled
    /// frequencies (0…1 from bottom to top).
    let frequencyTicks: [(hertz: Double, position: Double)]
    let title: String

    /// Matplotlib's viridis at nine evenly spaced points, interpolated between.
    private static let viridis: [(Double, Double, Double)] = [
        (68, 1, 84), (71, 44, 122), (59, 81, 139), (44, 113, 142), (33, 144, 141),
        (39, 173, 129), (92, 200, 99), (170, 220, 50), (253, 231, 37),
    ]
    /// Colour levels: equal neighbouring cells of a row are drawn as one rectangle.
    private static let levels = 64

    /// Height of one spectrogram's panel in the image.
    private static let panelHeight = 430.0

    /// This spectrogram as an SVG document.
    func svg() -> String { Self.svg([self]) }

    /// Spectrograms one above the other in one SVG document, on one time scale and one
    /// colour scale so that they compare at a glance (the teacher's and the model's).
    /// A value that is not finite is drawn as the lowest colour.
    static func svg(_ images: [SpectrogramImage]) -> String {
        let finite = images.flatMap(\.decibels).filter(\.isFinite)
        let low = finite.min() ?? 0, high = finite.max() ?? 1
        let seconds = images.map { Double($0.frames) * $0.frameSeconds }.max() ?? 0
        let height = panelHeight * Double(images.count)
        var out = """
        <svg xmlns="http://www.w3.org/2000/svg" width="900" height="\(Int(height))" font-family="sans-serif" font-size="12">
        <rect width="900" height="\(Int(height))" fill="white"/>

        """
        for (i, image) in images.enumerated() {
            out += image.panel(at: panelHeight * Double(i), low: low, high: high, seconds: seconds)
        }
        return out + "</svg>\n"
    }

    /// The panel's title, cells, axes and colour bar, `offset` from the image's top, for
    /// decibels from `low` to `high` and a time axis of `seconds`.
    private func panel(at offset: Double, low: Double, high: Double, seconds: Double) -> String {
        let (left, top, plotWidth, plotHeight) = (70.0, offset + 40, 720.0, 320.0)
        let range = Swift.max(high - low, 1e-9)
        let cellWidth = frameSeconds / Swift.max(seconds, 1e-9) * plotWidth, cellHeight = plotHeight / Double(Swift.max(bands, 1))
        var out = "<text x=\"\(left)\" y=\"\(fmt(offset + 24))\" font-size=\"15\">\(escapeXML(title))</text>\n"
        for band in 0..<bands {
            let y = top + plotHeight - Double(band + 1) * cellHeight
            var start = 0
            while start < frames {
                let level = Self.level(decibels[band * frames + start], low, range)
                var end = start + 1
                while end < frames && Self.level(decibels[band * frames + end], low, range) == level { end += 1 }
                out += "<rect x=\"\(fmt(left + Double(start) * cellWidth))\" y=\"\(fmt(y))\" width=\"\(fmt(Double(end - start) * cellWidth + 0.3))\" height=\"\(fmt(cellHeight + 0.3))\" fill=\"\(Self.color(Double(level) / Double(Self.levels - 1)))\"/>\n"
                start = end
            }
        }
        out += "<rect x=\"\(left)\" y=\"\(fmt(top))\" width=\"\(plotWidth)\" height=\"\(plotHeight)\" fill=\"none\" stroke=\"black\"/>\n"
        // Time axis: ticks 0.1, 0.2 or 0.5 s (or whole seconds) apart.
        let step = [0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60].first { seconds / $0 <= 10 } ?? 120
        for tick in stride(from: 0.0, through: seconds, by: step) {
            let x = left + tick / Swift.max(seconds, 1e-9) * plotWidth
            out += "<line x1=\"\(fmt(x))\" y1=\"\(fmt(top + plotHeight))\" x2=\"\(fmt(x))\" y2=\"\(fmt(top + plotHeight + 5))\" stroke=\"black\"/>"
            out += "<text x=\"\(fmt(x))\" y=\"\(fmt(top + plotHeight + 18))\" text-anchor=\"middle\">\(String(format: step < 0.1 ? "%.2f" : step < 1 ? "%.1f" : "%.0f", tick))</text>\n"
        }
        out += "<text x=\"\(left + plotWidth / 2)\" y=\"\(fmt(top + plotHeight + 36))\" text-anchor=\"middle\">time (s)</text>\n"
        for (hertz, position) in frequencyTicks {
            let y = top + plotHeight - position * plotHeight
            out += "<line x1=\"\(left - 5)\" y1=\"\(fmt(y))\" x2=\"\(left)\" y2=\"\(fmt(y))\" stroke=\"black\"/>"
            out += "<text x=\"\(left - 8)\" y=\"\(fmt(y + 4))\" text-anchor=\"end\">\(hertz >= 1000 ? "\(fmt(hertz / 1000))k" : "\(Int(hertz))")</text>\n"
        }
        out += "<text transform=\"translate(18 \(fmt(top + plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\">frequency (Hz, mel scale)</text>\n"
        // Colour bar.
        let barLeft = left + plotWidth + 30
        for i in 0..<Self.levels {
            let y = top + plotHeight - Double(i + 1) * plotHeight / Double(Self.levels)
            out += "<rect x=\"\(barLeft)\" y=\"\(fmt(y))\" width=\"16\" height=\"\(fmt(plotHeight / Double(Self.levels) + 0.3))\" fill=\"\(Self.color(Double(i) / Double(Self.levels - 1)))\"/>"
        }
        out += "\n<text x=\"\(barLeft + 20)\" y=\"\(fmt(top + 10))\">\(fmt(high)) dB</text>"
        out += "<text x=\"\(barLeft + 20)\" y=\"\(fmt(top + plotHeight))\">\(fmt(low)) dB</text>\n"
        return out
    }

    /// The colour level of `value`: 0 for `low` (and for a value that is not finite).
    private static func level(_ value: Double, _ low: Double, _ range: Double) -> Int {
        guard value.isFinite else { return 0 }
        return Swift.min(Swift.max(Int((value - low) / range * Double(levels - 1) + 0.5), 0), levels - 1)
    }

    /// The viridis colour at `t` in [0, 1].
    private static func color(_ t: Double) -> String {
        let scaled = t * Double(viridis.count - 1), i = Swift.min(Int(scaled), viridis.count - 2), f = scaled - Double(i)
        let (a, b) = (viridis[i], viridis[i + 1])
        func mix(_ x: Double, _ y: Double) -> Int { Int((x + (y - x) * f).rounded()) }
        return String(format: "#%02x%02x%02x", mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
    }

    /// A coordinate with at most two decimals.
    private func fmt(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
