import Ember

/// Layers applied one after another (PyTorch's `nn.Sequential`); children are named
/// by position: `0.weight`, `2.bias`.
public final class Sequential: Module, Layer {
    /// The layers, in order.
    public let layers: [any Layer]

    /// A sequence of `layers`.
    public init(_ layers: [any Layer]) {
        self.layers = layers
    }

    /// A sequence of `layers`.
    public convenience init(_ layers: any Layer...) { self.init(layers) }

    public override func namedChildren() -> [(name: String, module: Module)] {
        layers.enumerated().map { (String($0.offset), $0.element as Module) }
    }

    /// Each layer's output feeds the next.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        layers.reduce(x) { $1($0) }
    }
}

/// A list of modules whose parameters are registered (PyTorch's `nn.ModuleList`);
/// children are named by position.
public final class ModuleList: Module {
    /// The modules, in order.
    public let modules: [Module]

    /// A list holding `modules`.
    public init(_ modules: [Module]) {
        self.modules = modules
    }

    public override func namedChildren() -> [(name: String, module: Module)] {
        modules.enumerated().map { (String($0.offset), $0.element) }
    }

    /// The module at `index`.
    public subscript(index: Int) -> Module { modules[index] }

    /// Number of modules.
    public var count: Int { modules.count }
}
