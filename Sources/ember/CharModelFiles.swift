import EmberModels
import EmberNN

/// What the command line needs of a character model's spec to rebuild the model from a
/// model file: CharLMSpec, GPTSpec and BERTSpec.
protocol CharModelSpec {
    associatedtype Model: Module
    /// The spec a file's `__metadata__` describes.
    init(metadata: [String: String]) throws
    /// The model, freshly initialised.
    func build() -> Model
    /// The vocabulary and sizes, for messages.
    var shapeDescription: String { get }
}

extension CharLMSpec: CharModelSpec {
    var shapeDescription: String { "\(vocabulary.count) characters, \(arch.rawValue) \(embed)/\(hidden)/\(layers)" }
}

extension GPTSpec: CharModelSpec {
    var shapeDescription: String {
        "\(vocabulary.count) characters, \(config.nLayer) layers, \(config.nHead) heads, width \(config.nEmbd), context \(config.blockSize)"
    }
}

extension BERTSpec: CharModelSpec {
    var shapeDescription: String {
        "\(vocabulary.count) characters, \(config.layers) layers, \(config.heads) heads, width \(config.embed), context \(config.maxPositions)"
    }
}

/// A trained character model and its spec, from a run directory or a safetensors file
/// whose `__metadata__` describes it, in eval mode.
func loadModel<Spec: CharModelSpec>(_ path: String, as spec: Spec.Type) throws -> (model: Spec.Model, spec: Spec) {
    try loadModel(readModelFile(path), as: spec)
}

/// The same, from a model file already read.
func loadModel<Spec: CharModelSpec>(_ read: ModelFile, as _: Spec.Type) throws -> (model: Spec.Model, spec: Spec) {
    let spec = try Spec(metadata: read.metadata)
    let model = spec.build()
    do {
        try model.loadStateDict(read.tensors)
    } catch {
        throw CLIError("\(read.file.path) does not fit the model its metadata describes (\(spec.shapeDescription)): \(error)")
    }
    model.eval()
    return (model, spec)
}
