import Foundation

/// Line charts as SVG: one or more panels side by side under a title, each with axes,
/// ticks at round numbers, grid lines, axis labels and a legend below it. Made for
/// training curves; no dependencies, and the file opens in any browser.
///
/// ```swift
/// let chart = LineChart(title: "cnn", panels: [
///     .init(title: "Loss", xLabel: "step", yLabel: "cross-entropy",
///           series: [.init(label: "train", points: [(0, 2.3), (100, 0.6)], color: LineChart.palette[0])]),
/// ])
/// try chart.svg().write(toFile: "curves.svg", atomically: true, encoding: .utf8)
/// ```
public struct LineChart {
    /// One line.
    public struct Series {
        /// Its name in the legend.
        public var label: String
        /// `(x, y)` points, drawn in order; non-finite ones are left out.
        public var points: [(x: Double, y: Double)]
        /// An SVG colour.
        public var color: String
        /// Drawn dashed and thinner (training curves beside validation ones).
        public var dashed: Bool
        /// Whether each point gets a dot (for sparse series such as per-epoch values).
        public var markers: Bool

        /// A series.
        public init(label: String, points: [(x: Double, y: Double)], color: String, dashed: Bool = false, markers: Bool = false) {
            self.label = label
            self.points = points.filter { $0.x.isFinite && $0.y.isFinite }
            self.color = color
            self.dashed = dashed
            self.markers = markers
        }
    }

    /// One set of axes.
    public struct Panel {
        /// Above the axes.
        public var title: String
        /// Under the x axis, and beside the y axis.
        public var xLabel: String, yLabel: String
        /// The lines.
        public var series: [Series]
        /// Values the x axis reaches at least (0 for steps), beside the series' own.
        public var xIncludes: [Double]

        /// A panel.
        public init(title: String, xLabel: String, yLabel: String, series: [Series], xIncludes: [Double] = []) {
            self.title = title
            self.xLabel = xLabel
            self.yLabel = yLabel
            self.series = series
            self.xIncludes = xIncludes
        }
    }

    /// Matplotlib's "tab10" colours, for telling series apart.
    public static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                 "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]

    /// Above all the panels.
    public var title: String
    /// Left to right.
    public var panels: [Panel]

    /// A chart.
    public init(title: String, panels: [Panel]) {
        self.title = title
        self.panels = panels
    }

    private static let panelWidth = 520.0, plotHeight = 300.0
    private static let margin = (left: 70.0, right: 24.0, top: 64.0, bottom: 52.0)
    private static let legendRow = 20.0

    /// The chart as an SVG document.
    public func svg() -> String {
        let legendRows = panels.map { legendLayout($0).rows }.max() ?? 0
        let width = Double(max(panels.count, 1)) * Self.panelWidth
        let height = Self.margin.top + Self.plotHeight + Self.margin.bottom + Double(legendRows) * Self.legendRow + 12
        var out = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" \
        viewBox="0 0 \(Int(width)) \(Int(height))" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(fmt(width / 2))" y="26" text-anchor="middle" font-size="17" font-weight="bold">\(escapeXML(title))</text>

        """
        for (i, panel) in panels.enumerated() {
            out += "<g transform=\"translate(\(fmt(Double(i) * Self.panelWidth)),0)\">\n"
            out += draw(panel)
            out += "</g>\n"
        }
        return out + "</svg>\n"
    }

    private func draw(_ panel: Panel) -> String {
        let left = Self.margin.left, top = Self.margin.top
        let plotWidth = Self.panelWidth - Self.margin.left - Self.margin.right, bottom = top + Self.plotHeight
        let points = panel.series.flatMap(\.points)
        let xTicks = Self.ticks(points.map(\.x) + panel.xIncludes), yTicks = Self.ticks(points.map(\.y))
        let (x0, x1) = (xTicks.first!, xTicks.last!), (y0, y1) = (yTicks.first!, yTicks.last!)
        func px(_ x: Double) -> Double { left + (x - x0) / (x1 - x0) * plotWidth }
        func py(_ y: Double) -> Double { bottom - (y - y0) / (y1 - y0) * Self.plotHeight }

        var out = "<text x=\"\(fmt(left + plotWidth / 2))\" y=\"\(fmt(top - 12))\" text-anchor=\"middle\" font-size=\"14\">\(escapeXML(panel.title))</text>\n"
        for t in yTicks {
            out += "<line x1=\"\(fmt(left))\" y1=\"\(fmt(py(t)))\" x2=\"\(fmt(left + plotWidth))\" y2=\"\(fmt(py(t)))\" stroke=\"#e6e6e6\"/>\n"
            out += "<text x=\"\(fmt(left - 8))\" y=\"\(fmt(py(t) + 4))\" text-anchor=\"end\" fill=\"#333\">\(Self.label(t, step: yTicks[1] - yTicks[0]))</text>\n"
        }
        for t in xTicks {
            out += "<line x1=\"\(fmt(px(t)))\" y1=\"\(fmt(top))\" x2=\"\(fmt(px(t)))\" y2=\"\(fmt(bottom))\" stroke=\"#e6e6e6\"/>\n"
            out += "<text x=\"\(fmt(px(t)))\" y=\"\(fmt(bottom + 18))\" text-anchor=\"middle\" fill=\"#333\">\(Self.label(t, step: xTicks[1] - xTicks[0]))</text>\n"
        }
        out += "<rect x=\"\(fmt(left))\" y=\"\(fmt(top))\" width=\"\(fmt(plotWidth))\" height=\"\(fmt(Self.plotHeight))\" fill=\"none\" stroke=\"#333\"/>\n"
        out += "<text x=\"\(fmt(left + plotWidth / 2))\" y=\"\(fmt(bottom + 40))\" text-anchor=\"middle\">\(escapeXML(panel.xLabel))</text>\n"
        out += "<text transform=\"translate(\(fmt(left - 52)),\(fmt(top + Self.plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\">\(escapeXML(panel.yLabel))</text>\n"
        for s in panel.series where !s.points.isEmpty {
            let style = s.dashed ? "stroke-width=\"1.3\" stroke-dasharray=\"5 3\" stroke-opacity=\"0.85\"" : "stroke-width=\"2\""
            let path = s.points.map { "\(fmt(px($0.x))),\(fmt(py($0.y)))" }.joined(separator: " ")
            out += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(s.color)\" \(style) stroke-linejoin=\"round\"/>\n"
            if s.markers || s.points.count == 1 {
                for p in s.points {
                    out += "<circle cx=\"\(fmt(px(p.x)))\" cy=\"\(fmt(py(p.y)))\" r=\"3\" fill=\"\(s.color)\"/>\n"
                }
            }
        }
        let layout = legendLayout(panel)
        for (s, position) in zip(panel.series, layout.positions) {
            let x = left + position.x, y = bottom + Self.margin.bottom + Double(position.row) * Self.legendRow
            let dash = s.dashed ? " stroke-dasharray=\"5 3\"" : ""
            out += "<line x1=\"\(fmt(x))\" y1=\"\(fmt(y))\" x2=\"\(fmt(x + 22))\" y2=\"\(fmt(y))\" stroke=\"\(s.color)\" stroke-width=\"2\"\(dash)/>\n"
            out += "<text x=\"\(fmt(x + 28))\" y=\"\(fmt(y + 4))\">\(escapeXML(s.label))</text>\n"
        }
        return out
    }

    /// Where each legend entry goes: left to right, wrapping within the plot's width.
    private func legendLayout(_ panel: Panel) -> (positions: [(x: Double, row: Int)], rows: Int) {
        let available = Self.panelWidth - Self.margin.left - Self.margin.right
        var x = 0.0, row = 0, positions: [(x: Double, row: Int)] = []
        for s in panel.series {
            let width = 28 + 7 * Double(s.label.count) + 18
            if x > 0 && x + width > available { x = 0; row += 1 }
            positions.append((x, row))
            x += width
        }
        return (positions, panel.series.isEmpty ? 0 : row + 1)
    }

    /// Round tick values (1, 2 or 5 × 10ᵏ apart) covering `values`: about six intervals,
    /// so the axis ends close to the data.
    static func ticks(_ values: [Double]) -> [Double] {
        guard var low = values.min(), var high = values.max() else { return [0, 1] }
        if high - low < 1e-12 * max(abs(low), 1) { low -= 0.5 * max(abs(low), 1e-3); high += 0.5 * max(abs(high), 1e-3) }
        let rough = (high - low) / 6, magnitude = pow(10, floor(log10(rough)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= rough } ?? 10 * magnitude
        let first = floor(low / step + 1e-9), last = ceil(high / step - 1e-9)
        return stride(from: first, through: last, by: 1).map { $0 * step }
    }

    /// A tick label with as many decimals as the spacing needs; ticks a thousand or more
    /// apart are counted in thousands (`2k`, `12.5k`).
    static func label(_ value: Double, step: Double) -> String {
        if step >= 1000 { return value == 0 ? "0" : fmt(value / 1000) + "k" }
        let decimals = max(0, Int(-floor(log10(step) + 1e-9)))
        return String(format: "%.\(decimals)f", value == 0 ? 0 : value)
    }

}

/// A coordinate with at most two decimals, trailing zeros dropped.
private func fmt(_ value: Double) -> String {
    let rounded = (value * 100).rounded() / 100
    return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
}
