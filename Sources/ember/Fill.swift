import ArgumentParser
import Ember
import EmberModels
import EmberTrain
import Foundation

/// `ember fill`: a trained BERT fills in the masked characters of a text, predicting
/// each from both sides, and lists its most likely candidates for each.
struct Fill: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Fill in masked characters with a trained BERT.")

    @Option(help: "A bert run directory or model .safetensors file.") var checkpoint: String
    @Option(help: "Text with the characters to predict written as the mask character.") var text: String
    @Option(help: "The character that marks a masked position (it must not be in the model's vocabulary).") var maskChar: String = "_"
    @Option(help: "Candidates to list per masked character.") var top: Int = 3
    @Option(help: "Threads for Ember and OpenBLAS.") var threads: Int = 1

    func validate() throws {
        guard maskChar.count == 1 else { throw ValidationError("--mask-char must be one character") }
        guard text.contains(maskChar) else { throw ValidationError("--text has no \(maskChar) to fill in") }
        guard top > 0 else { throw ValidationError("--top must be positive") }
        guard threads >= 1 && threads <= TrainingConfig.maxThreads else {
            throw ValidationError("--threads must be from 1 to \(TrainingConfig.maxThreads)")
        }
    }

    func run() throws {
        try reportingErrors {
            setNumThreads(threads)
            let file = try readModelFile(checkpoint)
            let (model, config) = try file.model(as: BERTConfig.self)
            guard let vocabulary = file.vocabulary else { throw CLIError("\(checkpoint) has no characters (metadata 'vocab')") }
            // The token after the characters is the mask.
            let maskToken = vocabulary.count
            let mask = Character(maskChar)
            guard !vocabulary.characters.contains(mask) else {
                throw CLIError("'\(maskChar)' is a character of the model's vocabulary; choose another --mask-char")
            }
            guard text.count <= config.maxPositions else {
                throw CLIError("--text has \(text.count) characters; the model reads at most \(config.maxPositions)")
            }
            var tokens = try text.map { c in c == mask ? maskToken : try vocabulary.encode(String(c))[0] }
            let filled = model.fill(tokens, maskToken: maskToken, top: top)
            for (position, candidates) in filled { tokens[position] = candidates[0].token }
            print(vocabulary.decode(tokens))
            for (n, (position, candidates)) in filled.enumerated() {
                let list = candidates.map { String(format: "%@ %.3f", shown(vocabulary.decode([$0.token])), $0.probability) }
                print("blank \(n + 1) (character \(position + 1)): " + list.joined(separator: ", "))
            }
        }
    }

    /// A character as a person can read it in a list (`\n` for a new line, `' '` for a space).
    private func shown(_ s: String) -> String {
        s == "\n" ? "\\n" : s == " " ? "' '" : s
    }
}
