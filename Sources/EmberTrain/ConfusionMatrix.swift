import Ember
import EmberData
import EmberNN

/// Counts of a classifier's answers by true class (rows) and predicted class
/// (columns), as scikit-learn's `confusion_matrix`: the diagonal holds what it got
/// right. Printed as a table and drawn as an SVG heat map.
public struct ConfusionMatrix: Equatable, Sendable {
    /// The classes' names, in index order.
    public let labels: [String]
    /// `counts[truth][prediction]`.
    public private(set) var counts: [[Int]]

    /// An empty matrix over `labels`.
    public init(labels: [String]) {
        precondition(!labels.isEmpty, "ConfusionMatrix: needs at least one class")
        self.labels = labels
        counts = Array(repeating: Array(repeating: 0, count: labels.count), count: labels.count)
    }

    /// Counts each pair of `predictions` and `targets` (class indices, `[N]` each).
    public mutating func add(predictions: [Int], targets: [Int]) {
        precondition(predictions.count == targets.count,
                     "ConfusionMatrix.add: \(predictions.count) predictions for \(targets.count) targets")
        for (p, t) in zip(predictions, targets) {
            precondition(labels.indices.contains(p) && labels.indices.contains(t),
                         "ConfusionMatrix.add: class \(t) predicted as \(p) is outside 0..<\(labels.count)")
            counts[t][p] += 1
        }
    }

    /// The matrix of `model`'s answers (the largest logit) on every sample of `loader`,
    /// without gradients (the model is left in eval mode, as `Trainer.evaluate` leaves it).
    public static func of(_ model: any Layer, on loader: DataLoader, labels: [String]) -> ConfusionMatrix {
        var matrix = ConfusionMatrix(labels: labels)
        model.eval()
        withNoGrad {
            for batch in loader.batches(epoch: 0) {
                matrix.add(predictions: model(batch.inputs).argmax(dim: 1).ints, targets: batch.targets.ints)
            }
        }
        return matrix
    }

    /// Samples counted.
    public var total: Int { counts.joined().reduce(0, +) }

    /// The share answered right (0 when empty).
    public var accuracy: Double {
        total == 0 ? 0 : Double(labels.indices.map { counts[$0][$0] }.reduce(0, +)) / Double(total)
    }

    /// The table: a row per true class, a column per prediction, and each row's recall.
    public func table() -> String {
        let corner = "true \\ predicted", rowNames = labels.enumerated().map { "\($0.offset) \($0.element)" }
        let first = Swift.max(corner.count, rowNames.map(\.count).max() ?? 0)
        let column = Swift.max(6, String(counts.joined().max() ?? 0).count + 2)
        func left(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: Swift.max(width - text.count, 0)) }
        func right(_ text: String, _ width: Int) -> String { String(repeating: " ", count: Swift.max(width - text.count, 0)) + text }
        var lines = [left(corner, first) + labels.indices.map { right(String($0), column) }.joined() + right("recall", 9)]
        for (t, row) in counts.enumerated() {
            let sum = row.reduce(0, +)
            let recall = sum == 0 ? "-" : String(format: "%.1f%%", 100 * Double(row[t]) / Double(sum))
            lines.append(left(rowNames[t], first) + row.map { right(String($0), column) }.joined() + right(recall, 9))
        }
        return lines.joined(separator: "\n")
    }

    /// The matrix as an SVG image: cells shaded by their share of the row, each with
    /// its count, the true classes down the side and the predictions across the top.
    public func svg(title: String) -> String {
        let n = labels.count, size = Swift.max(24.0, 480.0 / Double(n))
        let (left, top) = (110.0, 80.0)
        let side = size * Double(n)
        var out = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(left + side + 30))" height="\(Int(top + side + 50))" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(left)" y="24" font-size="15">\(escapeXML(title))</text>
        <text x="\(left + side / 2)" y="\(top - 34)" text-anchor="middle">predicted</text>
        <text x="16" y="\(top + side / 2)" text-anchor="middle" transform="rotate(-90 16 \(top + side / 2))">true</text>

        """
        for (t, row) in counts.enumerated() {
            let sum = Double(Swift.max(row.reduce(0, +), 1))
            let y = top + Double(t) * size
            out += "<text x=\"\(left - 6)\" y=\"\(y + size / 2 + 4)\" text-anchor=\"end\">\(escapeXML(labels[t]))</text>\n"
            for (p, count) in row.enumerated() {
                let share = Double(count) / sum
                let x = left + Double(p) * size
                // White to a deep blue by share; dark cells get white figures.
                let shade = Int(255 * (1 - share)), green = Int(255 - share * (255 - 80))
                out += "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(size)\" height=\"\(size)\" fill=\"rgb(\(shade),\(green),255)\" stroke=\"#ddd\"/>\n"
                if count > 0 {
                    out += "<text x=\"\(x + size / 2)\" y=\"\(y + size / 2 + 4)\" text-anchor=\"middle\" fill=\"\(share > 0.5 ? "white" : "black")\">\(count)</text>\n"
                }
            }
        }
        for p in 0..<n {
            out += "<text x=\"\(left + (Double(p) + 0.5) * size)\" y=\"\(top - 8)\" text-anchor=\"middle\">\(escapeXML(labels[p]))</text>\n"
        }
        return out + "</svg>\n"
    }
}
