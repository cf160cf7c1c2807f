import Dispatch
import Foundation

/// Shows training progress: on a terminal, one line redrawn in place (epoch, batch,
/// loss, accuracy, samples/s, ETA); otherwise plain lines every tenth of an epoch. Each epoch
/// ends with a summary line including validation figures. Sequence models (a trainer
/// with `tokensPerSample`) show steps and tokens/s instead.
public final class ProgressBar: Callback {
    private let interactive: Bool
    private let write: (String) -> Void
    private var epochStart = DispatchTime.now()
    private var lastDraw = DispatchTime.now()
    private var lossSum = 0.0

    /// Draws in place when standard output is a terminal, unless told otherwise.
    public init(interactive: Bool? = nil, write: @escaping (String) -> Void = { print($0, terminator: ""); fflush(stdout) }) {
        self.interactive = interactive ?? (isatty(STDOUT_FILENO) != 0)
        self.write = write
    }

    public func batchEnded(_ trainer: Trainer, index: Int, count: Int, loss: Double) {
        if index == 0 {
            epochStart = DispatchTime.now()
            lossSum = 0
        }
        lossSum += loss
        let now = DispatchTime.now()
        let done = index + 1
        let elapsed = Double(now.uptimeNanoseconds - epochStart.uptimeNanoseconds) / 1e9
        let rate = Double(done * trainer.train.batchSize * trainer.processes * (trainer.tokensPerSample ?? 1)) / Swift.max(elapsed, 1e-9)
        let accuracy = trainer.runningAccuracy.map { " acc \(Self.percent($0))" } ?? ""
        let position: String, eta: Double
        if trainer.tokensPerSample != nil {
            // Sequence models train for a number of steps, evaluating every `count`.
            let total = Swift.min(trainer.epochs * count, trainer.maxSteps ?? .max)
            position = "step \(trainer.step)/\(total)"
            eta = elapsed / Double(done) * Double(total - trainer.step)
        } else {
            position = "epoch \(trainer.epoch + 1)/\(trainer.epochs) \(done)/\(count)"
            eta = elapsed / Double(done) * Double(count - done)
        }
        let unit = trainer.tokensPerSample == nil ? "samples/s" : "tokens/s"
        let status = "\(position) loss \(String(format: "%.4f", lossSum / Double(done)))\(accuracy) \(Self.thousands(rate)) \(unit) ETA \(Self.clock(eta))"
        if interactive {
            guard done == count || Double(now.uptimeNanoseconds - lastDraw.uptimeNanoseconds) > 1e8 else { return }
            lastDraw = now
            let width = 24, filled = width * done / Swift.max(count, 1)
            write("\r[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] " + status + "\u{1B}[K")
        } else if done == count || done % Swift.max(count / 10, 1) == 0 {
            write(status + "\n")
        }
    }

    public func epochEnded(_ trainer: Trainer, record: EpochRecord) throws {
        var line = record.tokensPerSec == nil ? "epoch \(record.epoch)" : "step \(record.step)"
        line += ": train loss \(String(format: "%.4f", record.trainLoss))"
        if let a = record.trainAccuracy { line += " acc \(Self.percent(a))" }
        if let v = record.valLoss { line += ", val loss \(String(format: "%.4f", v))" }
        if let a = record.valAccuracy { line += " acc \(Self.percent(a))" }
        let rate = record.tokensPerSec.map { "\(Self.thousands($0)) tokens/s" } ?? "\(Self.thousands(record.samplesPerSec)) samples/s"
        line += ", \(rate), \(Self.clock(record.elapsedS)) elapsed"
        write((interactive ? "\r\u{1B}[K" : "") + line + "\n")
    }

    static func percent(_ v: Double) -> String { String(format: "%.2f%%", 100 * v) }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }

    static func thousands(_ v: Double) -> String {
        let digits = String(Int(v.rounded()))
        var out = ""
        for (i, c) in digits.reversed().enumerated() {
            if i > 0 && i % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return String(out.reversed())
    }
}
