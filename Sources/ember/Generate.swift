import ArgumentParser
import Dispatch
import Ember
import EmberData
import EmberModels
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

    func validate() throws {
        guard prompt?.isEmpty != true else { throw ValidationError("--prompt must not be empty") }
        guard tokens > 0 else { throw ValidationError("--tokens must be positive") }
        guard temperature >= 0, temperature.isFinite else { throw ValidationError("--temperature must be non-negative") }
        if let topK, topK <= 0 { throw ValidationError("--top-k must be positive") }
        if let topP, !(topP > 0 && topP <= 1) { throw ValidationError("--top-p must be in (0, 1]") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        try reportingErrors {
            setNumThreads(threads)
            let file = try readModelFile(checkpoint)
            let model: (_ prompt: [Int], _ emit: (Int) -> Void) -> Void, vocabulary: CharVocabulary
            let sampler = TokenSampler(temperature: temperature, topK: topK, topP: topP), generator = Generator(seed: seed)
            switch file.metadata["model"] {
            case "gpt":
                let (gpt, spec) = try loadModel(file, as: GPTSpec.self)
                vocabulary = spec.vocabulary
                model = { gpt.generate(prompt: $0, count: tokens, sampler: sampler, generator: generator, useCache: !noKvCache, emit: $1) }
            case "bert":
                throw CLIError("\(checkpoint) holds a BERT, which fills in masked characters (ember fill) rather than continuing a text")
            default:
                guard !noKvCache else { throw CLIError("--no-kv-cache applies to GPT checkpoints only") }
                let (rnn, spec) = try loadModel(file, as: CharLMSpec.self)
                vocabulary = spec.vocabulary
                model = { rnn.generate(prompt: $0, count: tokens, sampler: sampler, generator: generator, emit: $1) }
            }
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
