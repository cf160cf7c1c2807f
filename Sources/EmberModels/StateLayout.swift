import Ember
import EmberNN

/// The tensors a model's state dict holds, by name and shape, worked out from its config
/// without building the model. A model file's tensors are checked against it before
/// anything is allocated, and its element count says whether training fits in memory.
///
/// The layout grows entry by entry within a `Budget` and throws as soon as it passes
/// it, so a config of a billion layers is refused after a few entries, and every size
/// is computed with checked arithmetic.
public struct StateLayout {
    /// One tensor of the state dict.
    public struct Entry: Equatable, Sendable {
        /// Its name, as `stateDict()` gives it (`transformer.h.0.attn.c_attn.weight`).
        public let name: String
        /// Its shape.
        public let shape: [Int]
        /// Whether it is another name for a tensor listed already (a tied output
        /// weight): a file may omit it, and it adds no elements.
        public let alias: Bool
    }

    /// How much a layout may describe before it is refused.
    public struct Budget: Sendable {
        /// Tensors (aliases not counted).
        public var tensors: Int
        /// Elements of all tensors (aliases not counted).
        public var elements: Int
        /// What the limit is, to end the message of a layout that passes it.
        public var limit: String

        /// A budget of `tensors` tensors and `elements` elements; `limit` ends the
        /// refusal ("larger than …").
        public init(tensors: Int, elements: Int, limit: String) {
            self.tensors = tensors
            self.elements = elements
            self.limit = limit
        }

        /// What a file of `tensors` tensors holding `elements` elements can describe,
        /// with room to spare: a config a little larger than its file is laid out whole,
        /// so the check against the tensors names what is missing; one far larger stops.
        public static func file(tensors: Int, elements: Int) -> Budget {
            func roomy(_ n: Int, _ extra: Int) -> Int { n > (Int.max - extra) / 2 ? .max : 2 * n + extra }
            return Budget(tensors: roomy(tensors, 16), elements: roomy(elements, 1 << 20),
                          limit: "the file, which holds \(tensors) tensors of \(elements) elements in all")
        }

        /// Bytes a parameter needs in training: its value and gradient, and Adam's two
        /// moments, in float32.
        public static let trainingBytesPerParameter = 16

        /// What this machine can train: `Memory.limit` at `trainingBytesPerParameter`
        /// bytes a parameter (no limit if the memory is unknown).
        public static var training: Budget {
            let memory = Memory.limit
            return Budget(tensors: .max, elements: memory > 0 ? memory / trainingBytesPerParameter : .max,
                          limit: "this machine can train: at \(trainingBytesPerParameter) bytes a parameter (weights, gradients and Adam's two moments) it would need more than its \(Memory.describe(memory)) of memory")
        }
    }

    /// The tensors, in the order the config describes them.
    public private(set) var entries: [Entry] = []
    /// Elements of all tensors but aliases.
    public private(set) var elements = 0
    /// Tensors but aliases.
    public private(set) var tensors = 0
    /// The limit it grows within.
    public let budget: Budget
    /// The model's kind, for messages.
    let kind: ModelKind

    init(kind: ModelKind, budget: Budget) {
        self.kind = kind
        self.budget = budget
    }

    /// Adds a tensor named `name` of `shape`; throws once the layout passes its budget.
    public mutating func add(_ name: String, _ shape: [Int], alias: Bool = false) throws {
        if !alias {
            var count = 1, overflow = shape.contains { $0 < 0 }
            for d in shape where !overflow { (count, overflow) = count.multipliedReportingOverflow(by: d) }
            let (total, overflowed) = elements.addingReportingOverflow(count)
            guard !overflow, !overflowed, total <= budget.elements, tensors < budget.tensors else { throw refusal }
            elements = total
            tensors += 1
        }
        entries.append(Entry(name: name, shape: shape, alias: alias))
    }

    /// `Linear`: `weight [out, in]` and `bias [out]`.
    public mutating func linear(_ prefix: String, _ inFeatures: Int, _ outFeatures: Int, bias: Bool = true) throws {
        try add(prefix + ".weight", [outFeatures, inFeatures])
        if bias { try add(prefix + ".bias", [outFeatures]) }
    }

    /// `LayerNorm` over the last `width` values.
    public mutating func layerNorm(_ prefix: String, _ width: Int, bias: Bool = true) throws {
        try add(prefix + ".weight", [width])
        if bias { try add(prefix + ".bias", [width]) }
    }

    /// `Embedding`: `weight [count, width]`.
    public mutating func embedding(_ prefix: String, _ count: Int, _ width: Int) throws {
        try add(prefix + ".weight", [count, width])
    }

    /// A square-kernel `Conv2d` without groups.
    public mutating func conv2d(_ prefix: String, _ inChannels: Int, _ outChannels: Int, kernel: Int, bias: Bool) throws {
        try add(prefix + ".weight", [outChannels, inChannels, kernel, kernel])
        if bias { try add(prefix + ".bias", [outChannels]) }
    }

    /// `BatchNorm2d`: affine parameters and running statistics.
    public mutating func batchNorm(_ prefix: String, _ channels: Int) throws {
        for name in ["weight", "bias", "running_mean", "running_var"] { try add("\(prefix).\(name)", [channels]) }
        try add(prefix + ".num_batches_tracked", [])
    }

    /// Stacked unidirectional recurrent layers with biases, PyTorch's names
    /// (`weight_ih_l0`, `weight_hh_l0`, `bias_ih_l0`, `bias_hh_l0`, …).
    public mutating func recurrent(_ prefix: String, _ arch: RecurrentArch, input: Int, hidden: Int, layers: Int) throws {
        let (rows, overflow) = arch.cell.gates.multipliedReportingOverflow(by: hidden)
        guard !overflow else { throw refusal }
        for layer in 0..<layers {
            try add("\(prefix).weight_ih_l\(layer)", [rows, layer == 0 ? input : hidden])
            try add("\(prefix).weight_hh_l\(layer)", [rows, hidden])
            try add("\(prefix).bias_ih_l\(layer)", [rows])
            try add("\(prefix).bias_hh_l\(layer)", [rows])
        }
    }

    /// `width × factor`, or a refusal when it overflows.
    public func scaled(_ width: Int, by factor: Int) throws -> Int {
        let (product, overflow) = width.multipliedReportingOverflow(by: factor)
        guard !overflow else { throw refusal }
        return product
    }

    /// The error of a layout that passes its budget.
    private var refusal: ConfigError {
        ConfigError("the \(kind.rawValue) model its config describes is larger than \(budget.limit)")
    }
}

extension ModelConfig {
    /// The state dict this config's model holds, without building it; throws once it
    /// passes `budget`.
    public func stateLayout(within budget: StateLayout.Budget) throws -> StateLayout {
        var layout = StateLayout(kind: Self.kind, budget: budget)
        try describeState(&layout)
        return layout
    }
}

extension AnyModelConfig {
    /// The state dict the model holds, without building it; throws once it passes `budget`.
    public func stateLayout(within budget: StateLayout.Budget) throws -> StateLayout {
        try config.stateLayout(within: budget)
    }
}
