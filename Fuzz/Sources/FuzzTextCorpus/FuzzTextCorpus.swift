import EmberData
import EmberModels
import Foundation

/// Any bytes given as a corpus are refused or split into characters that encode and
/// decode back to the text, with a vocabulary that a model file stores and reads back
/// exactly.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTextCorpus(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    guard let text = String(data: data, encoding: .utf8), let corpus = try? TextCorpus(text: text, name: "fuzzed") else { return 0 }
    let vocabulary = corpus.vocabulary
    guard let indices = try? vocabulary.encode(text) else { fatalError("the corpus's own text does not encode") }
    precondition(indices.count == corpus.train.numel + corpus.validation.numel, "the split lost characters")
    precondition(vocabulary.decode(indices) == text, "decoding does not give the text back")
    let config = AnyModelConfig.charlm(CharRNNConfig(vocabSize: vocabulary.count, embed: 1, hidden: 1))
    guard let json = try? ModelFile.metadata(config, vocabulary: vocabulary)["vocab"],
          let readBack = try? ModelFile.characters(json: json) else {
        fatalError("the vocabulary does not survive a model file")
    }
    precondition(readBack.characters.map(String.init) == vocabulary.characters.map(String.init), "the vocabulary changed in a model file")
    return 0
}
