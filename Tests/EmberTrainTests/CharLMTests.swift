import XCTest
import Ember
import EmberData
import EmberModels
import EmberNN
import EmberTrain

/// The character language model with the Trainer: it learns, it samples
/// deterministically under a seed, and truncated backpropagation keeps no graph across
/// windows.
final class CharLMTests: XCTestCase {
    private let text = String(repeating: "the cat sat on the mat. ", count: 40)

    /// Trains `arch` on `text` with the Trainer in step mode; returns the validation losses.
    private func train(_ arch: RecurrentArch, steps: Int) throws -> (model: CharRNN, vocabulary: CharVocabulary, losses: [Double]) {
        let corpus = try TextCorpus(text: text)
        manualSeed(1)
        let model = CharRNN(CharRNNConfig(arch: arch, vocabSize: corpus.vocabulary.count, embed: 8, hidden: 32))
        let trainer = Trainer(model: model, optimizer: Adam(parameters: model.parameters(), lr: 0.01),
                              train: DataLoader(TokenWindows(corpus.train, length: 16), batchSize: 8, seed: 2, samplesPerEpoch: 80),
                              validation: DataLoader(TokenWindows(corpus.validation, length: 16), batchSize: 8, seed: 3, samplesPerEpoch: 16),
                              epochs: 100)
        trainer.maxSteps = steps
        trainer.tokensPerSample = 16
        let v = corpus.vocabulary.count
        trainer.loss = { crossEntropy($0.reshape([-1, v]), $1.reshape([-1])) }
        try trainer.fit()
        XCTAssertEqual(trainer.step, steps)
        XCTAssertNil(trainer.history.last?.trainAccuracy)
        XCTAssertNotNil(trainer.history.last?.tokensPerSec)
        return (model, corpus.vocabulary, trainer.history.compactMap(\.valLoss))
    }

    func testEveryCellLearnsARepetitiveText() throws {
        for arch in RecurrentArch.allCases {
            let (_, vocabulary, losses) = try train(arch, steps: 100)
            // Ten evaluations, one every ten steps; a uniform guess scores ln(V).
            XCTAssertEqual(losses.count, 10, "\(arch)")
            XCTAssertLessThan(losses.last!, 0.5, "\(arch): \(losses)")
            XCTAssertGreaterThan(log(Double(vocabulary.count)), 2)
        }
    }

    func testGenerationIsDeterministicUnderASeedAndContinuesThePattern() throws {
        let (model, vocabulary, _) = try train(.lstm, steps: 150)
        let prompt = try vocabulary.encode("the cat ")
        var streamed: [Int] = []
        let a = model.generate(prompt: prompt, count: 40, generator: Generator(seed: 5)) { streamed.append($0) }
        let b = model.generate(prompt: prompt, count: 40, generator: Generator(seed: 5))
        XCTAssertEqual(a, b)
        XCTAssertEqual(streamed, a)
        let greedy = vocabulary.decode(model.generate(prompt: prompt, count: 16, sampler: TokenSampler(temperature: 0)))
        XCTAssertEqual(greedy, "sat on the mat. ")
    }

    func testSamplerFilters() {
        let logits = Tensor([0.1, 2.0, 1.5, -1.0] as [Float])
        let g = Generator(seed: 1)
        XCTAssertEqual(TokenSampler(temperature: 0).sample(logits, generator: g), 1)
        XCTAssertEqual(TokenSampler(topK: 1).sample(logits, generator: g), 1)
        XCTAssertEqual(TokenSampler(topP: 0.1).sample(logits, generator: g), 1)
        let draws = (0..<300).map { _ in TokenSampler(topK: 2).sample(logits, generator: g) }
        XCTAssertEqual(Set(draws), [1, 2])
        // Roughly e^2 : e^1.5 = 62% : 38%.
        let share = Double(draws.filter { $0 == 1 }.count) / 300
        XCTAssertEqual(share, 0.62, accuracy: 0.08)
        let all = Set((0..<400).map { _ in TokenSampler().sample(logits, generator: g) })
        XCTAssertEqual(all, [0, 1, 2, 3])
    }

    /// A detached state carries values but no graph: the second window's gradients are
    /// those of running it alone from a constant state.
    func testTruncatedBackpropagationKeepsNoGraphAcrossWindows() {
        manualSeed(2)
        let lstm = LSTM(inputSize: 3, hiddenSize: 4, batchFirst: true)
        let first = Tensor.randn([2, 5, 3]), second = Tensor.randn([2, 5, 3])
        let (_, state) = lstm.forward(first)
        let carried = state.detached()
        XCTAssertFalse(carried.h.requiresGrad)
        XCTAssertFalse(carried.c!.requiresGrad)
        lstm.forward(second, state: carried).output.sum().backward()
        let truncated = lstm.parameters().map { $0.grad!.doubles }
        lstm.zeroGrad()
        let h: [Float] = carried.h.scalars(as: Float.self), c: [Float] = carried.c!.scalars(as: Float.self)
        let constant = RecurrentState(h: Tensor(h, shape: carried.h.shape), c: Tensor(c, shape: carried.c!.shape))
        lstm.forward(second, state: constant).output.sum().backward()
        XCTAssertEqual(lstm.parameters().map { $0.grad!.doubles }, truncated)
    }
}
