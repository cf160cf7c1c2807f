import ArgumentParser
import Dispatch
import Ember
import EmberData
import EmberModels
import EmberTrain
import Foundation

/// `ember generate`: continues a prompt with a trained character model (charlm or GPT),
/// printing each character as it is produced. The same seed gives the same text.
struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Generate text with a trained character language model (charlm or GPT).")

    @Option(help: "A run directory or a model .safetensors file.") var checkpoint: String
    @Option(help: "Text to continue (default: a new line; every character must be in the model's vocabulary).") var prompt: String?
    @Option(help: "Characters to generate.") var tokens: Int = 500
    @Option(help: "Sampling temperature (0: always the most likely character).") var temperature: Double = 1
    @Option(help: "Sample only among the K most likely characters.") var topK: Int?
    @Option(help: "Sample only among the most likely characters whose probabilities sum to P.") var topP: Double?
    @Option(help: "Random seed.") var seed: UInt64 = 0
    @Option(help: "Threads for Ember and OpenBLAS.") var threads: Int = 1
    @Flag(help: "GPT: run the whole context for every token instead of using the KV cache.") var noKvCache = false
    @Option(help: "A nanoGPT file without Ember's description: its attention heads per block (or its metadata's n_head).")
    var heads: Int?
    @Option(help: "A nanoGPT file without Ember's description: a JSON file listing its characters by token (or its metadata's vocab).")
    var vocab: String?

    func validate() throws {
        guard prompt?.isEmpty != true else { throw ValidationError("--prompt must not be empty") }
        guard tokens > 0 else { throw ValidationError("--tokens must be positive") }
        guard temperature >= 0, temperature.isFinite else { throw ValidationError("--temperature must be non-negative") }
        if let topK, topK <= 0 { throw ValidationError("--top-k must be positive") }
        if let topP, !(topP > 0 && topP <= 1) { throw ValidationError("--top-p must be in (0, 1]") }
        guard threads >= 1 && threads <= TrainingConfig.maxThreads else {
            throw ValidationError("--threads must be from 1 to \(TrainingConfig.maxThreads)")
        }
        if let heads, heads <= 0 { throw ValidationError("--heads must be positive") }
    }

    /// What `--heads` and `--vocab` say of a nanoGPT file.
    private func hints() throws -> NanoGPTHints {
        guard let vocab else { return NanoGPTHints(heads: heads) }
        let data: Data
        do {
            data = try RegularFile.contents(atPath: vocab)
        } catch {
            throw CLIError("cannot read --vocab \(error)")
        }
        do {
            return NanoGPTHints(heads: heads, vocabulary: try ModelFile.characters(json: String(decoding: data, as: UTF8.self)))
        } catch {
            throw CLIError("--vocab \(vocab): \(error)")
        }
    }

    func run() throws {
        try reportingErrors {
            setNumThreads(threads)
            let file = try readModelFile(checkpoint, gpt: try hints())
            let model: (_ prompt: [Int], _ emit: (Int) -> Void) -> Void
            let sampler = TokenSampler(temperature: temperature, topK: topK, topP: topP), generator = Generator(seed: seed)
            switch file.config {
            case .gpt:
                let gpt = try file.model(as: GPTConfig.self).model
                model = { gpt.generate(prompt: $0, count: tokens, sampler: sampler, generator: generator, useCache: !noKvCache, emit: $1) }
            case .charlm:
                guard !noKvCache else { throw CLIError("--no-kv-cache applies to GPT checkpoints only") }
                let rnn = try file.model(as: CharRNNConfig.self).model
                model = { rnn.generate(prompt: $0, count: tokens, sampler: sampler, generator: generator, emit: $1) }
            case .bert:
                throw CLIError("\(checkpoint) holds a BERT, which fills in masked characters (ember fill) rather than continuing a text")
            default:
                throw CLIError("\(checkpoint) holds a \(file.config.kind.rawValue) model, not a character language model (charlm or gpt)")
            }
            guard let vocabulary = file.vocabulary else { throw CLIError("\(checkpoint) has no characters (metadata 'vocab')") }
            let text = prompt ?? "\n"
            let start = try vocabulary.encode(text)
            print(text, terminator: "")
            let begin = DispatchTime.now()
            model(start) { token in
                print(vocabulary.decode([token]), terminator: "")
                fflush(stdout)
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - begin.uptimeNanoseconds) / 1e9
            print()
            FileHandle.standardError.write(Data(String(format: "%d characters in %.2f s (%.0f tokens/s)\n", tokens, seconds, Double(tokens) / seconds).utf8))
        }
    }
}
