import Ember
import EmberModels
import EmberNN
import XCTest

/// The FastSpeech-style synthesizer: teacher-forced mels as long as the durations say,
/// words spelled through its lexicon (unknown ones named), and a loss that falls.
final class SynthesizerTests: XCTestCase {
    private let config = SynthesizerConfig(phonemes: ["@", "_", "n", "w", "V"], lexicon: ["one": ["w", "V", "n"]], ending: ["_"],
                                           width: 8, encoderLayers: 2, decoderLayers: 2, kernelSize: 3, nMels: 6, dropout: 0)

    /// Two utterances: "one" with frames 2, 3, 1, 2 and a padded shorter one of 5 frames.
    private var batch: (inputs: Tensor, targets: Tensor) {
        let inputs = Tensor([4, 5, 3, 2,  2, 3, 1, 2,    3, 2, 0, 0,  2, 3, 0, 0] as [Int64], shape: [2, 2, 4])
        return (inputs, Tensor.randn([2, 8, 6], generator: Generator(seed: 3)))
    }

    func testMelsAreAsLongAsTheDurations() throws {
        manualSeed(0)
        let model = config.build()
        XCTAssertEqual(model(batch.inputs).shape, [2, 8, 6], "the longest utterance's 2 + 3 + 1 + 2 frames")
        XCTAssertEqual(try config.phonemeIDs("one"), [4, 5, 3, 2])
        XCTAssertEqual(model.synthesize([4, 5, 3, 2], frames: [1, 0, 2, 1]).shape, [4, 6])
        XCTAssertEqual(model.synthesize([4, 5, 3, 2]).shape[1], 6)
        XCTAssertThrowsError(try config.phonemeIDs("one two")) {
            XCTAssertEqual("\($0)", "'two' is not a word this model learned (it knows one)")
        }
        XCTAssertThrowsError(try config.phonemeIDs("  ")) { XCTAssertEqual("\($0)", "there is nothing to say: the text is empty") }
        var bad = config
        bad.lexicon["two"] = ["t", "u:"]
        XCTAssertThrowsError(try bad.validate()) { XCTAssertEqual("\($0)", "lexicon: 'two' must be spelled with known phonemes") }
        var spaced = config
        spaced.voice = "en us"
        XCTAssertThrowsError(try spaced.validate()) { XCTAssertEqual("\($0)", "voice must be an espeak-ng voice name, got 'en us'") }
    }

    func testTheLossFalls() {
        manualSeed(0)
        let model = config.build()
        let optimizer = Adam(parameters: model.parameters(), lr: 1e-2)
        let (inputs, targets) = batch
        let first = model.loss(inputs: inputs, targets: targets).item() as Double
        for _ in 0..<60 {
            optimizer.zeroGrad()
            model.loss(inputs: inputs, targets: targets).backward()
            optimizer.step()
        }
        let last = model.loss(inputs: inputs, targets: targets).item() as Double
        XCTAssertLessThan(last, first / 2, "from \(first) to \(last)")
    }
}
