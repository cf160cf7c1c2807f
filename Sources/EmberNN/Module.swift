import Ember

/// The base of every layer and model (PyTorch's `nn.Module`).
///
/// A module's parameters, buffers and sub-modules are its stored properties, found by
/// reflection: a `Parameter` property is a parameter, any other `Tensor` property a
/// buffer (running statistics), a `Module` property a child, and an array of modules
/// children named by index. Names follow PyTorch's state dicts: Swift's camelCase
/// becomes snake_case (`runningMean` → `running_mean`) and children join with dots
/// (`features.0.weight`).
///
/// ```swift
/// final class MLP: Module, Layer {
///     let fc1 = Linear(inFeatures: 784, outFeatures: 128)
///     let fc2 = Linear(inFeatures: 128, outFeatures: 10)
///     func callAsFunction(_ x: Tensor) -> Tensor { fc2(fc1(x).relu()) }   // [N, 784] -> [N, 10]
/// }
/// MLP().namedParameters().map(\.name)   // ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
/// ```
open class Module {
    /// Whether the module is in training mode (dropout active, batch statistics used).
    public private(set) var training = true

    /// A module with no parameters yet; subclasses declare theirs as stored properties.
    public init() {}

    /// Direct sub-modules with their names. The default finds them by reflection;
    /// containers override it to name children by index.
    open func namedChildren() -> [(name: String, module: Module)] {
        var children: [(name: String, module: Module)] = []
        for (name, value) in storedProperties() {
            if let module = value as? Module {
                children.append((name, module))
            } else if let modules = value as? [Module] {
                children += modules.enumerated().map { ("\(name).\($0.offset)", $0.element) }
            }
        }
        return children
    }

    /// This module's own parameters (not its children's), by reflection.
    open func localParameters() -> [(name: String, parameter: Parameter)] {
        storedProperties().compactMap { name, value in (value as? Parameter).map { (name, $0) } }
    }

    /// This module's own buffers: stored tensors that are not parameters.
    open func localBuffers() -> [(name: String, buffer: Tensor)] {
        storedProperties().compactMap { name, value in
            guard let t = value as? Tensor, !(t is Parameter) else { return nil }
            return (name, t)
        }
    }

    /// This module and every descendant, depth first, with dotted names ("" for self).
    public func namedModules() -> [(name: String, module: Module)] {
        var result: [(name: String, module: Module)] = [("", self)]
        for (name, child) in namedChildren() {
            result += child.namedModules().map { (Self.join(name, $0.name), $0.module) }
        }
        return result
    }

    /// Every parameter with its dotted name, in definition order; shared ones once.
    public func namedParameters() -> [(name: String, parameter: Parameter)] {
        var seen = Set<ObjectIdentifier>()
        return namedModules().flatMap { prefix, module in
            module.localParameters().compactMap { name, p in
                seen.insert(ObjectIdentifier(p)).inserted ? (Self.join(prefix, name), p) : nil
            }
        }
    }

    /// Every parameter, in definition order.
    public func parameters() -> [Parameter] { namedParameters().map(\.parameter) }

    /// Every buffer with its dotted name.
    public func namedBuffers() -> [(name: String, buffer: Tensor)] {
        namedModules().flatMap { prefix, module in module.localBuffers().map { (Self.join(prefix, $0.name), $0.buffer) } }
    }

    /// Number of scalar parameters.
    public var parameterCount: Int { parameters().reduce(0) { $0 + $1.numel } }

    /// Sets training mode on this module and every descendant.
    public func train(_ on: Bool = true) {
        for (_, m) in namedModules() { m.training = on }
    }

    /// Sets evaluation mode (dropout off, running statistics used).
    public func eval() { train(false) }

    /// Clears the gradient of every parameter.
    public func zeroGrad() {
        for p in parameters() { p.grad = nil }
    }

    /// Parameters and buffers by PyTorch name, in definition order. As in PyTorch's
    /// `state_dict()`, a shared parameter (a tied output layer) appears under each of
    /// its names, so the file loads into the PyTorch module strictly.
    public func stateDict() -> [(name: String, tensor: Tensor)] {
        let parameters = namedModules().flatMap { prefix, module in
            module.localParameters().map { (Self.join(prefix, $0.name), $0.parameter as Tensor) }
        }
        return parameters + namedBuffers().map { ($0.name, $0.buffer) }
    }

    /// Copies `state` into this module's parameters and buffers by name.
    ///
    /// Every problem is collected before anything is written, so a failed load leaves
    /// the module as it was: names the module lacks (unexpected), names the state lacks
    /// (missing, ignored when `strict` is false) and shapes that differ.
    open func loadStateDict(_ state: [String: Tensor], strict: Bool = true) throws {
        let own = stateDict()
        let names = Set(own.map(\.name))
        var problems = StateDictError()
        for (name, target) in own {
            guard let source = state[name] else {
                problems.missing.append(name)
                continue
            }
            if source.shape != target.shape {
                problems.mismatched.append((name, expected: target.shape, found: source.shape))
            }
        }
        problems.unexpected = state.keys.filter { !names.contains($0) }.sorted()
        if !problems.mismatched.isEmpty || (strict && !(problems.missing.isEmpty && problems.unexpected.isEmpty)) {
            throw problems
        }
        withNoGrad {
            for (name, target) in own {
                if let source = state[name] { target.copy(from: source) }
            }
        }
    }

    /// Stored properties of this object and its superclasses, named in snake_case.
    private func storedProperties() -> [(String, Any)] {
        var result: [(String, Any)] = []
        var mirror: Mirror? = Mirror(reflecting: self)
        while let m = mirror {
            result = m.children.compactMap { child in child.label.map { (Self.snakeCase($0), child.value) } } + result
            mirror = m.superclassMirror
        }
        return result
    }

    /// `runningMean` → `running_mean`; a leading underscore is dropped.
    static func snakeCase(_ name: String) -> String {
        var out = ""
        for c in name.drop(while: { $0 == "_" }) {
            if c.isUppercase {
                out += "_" + c.lowercased()
            } else {
                out.append(c)
            }
        }
        return out
    }

    private static func join(_ prefix: String, _ name: String) -> String {
        prefix.isEmpty ? name : name.isEmpty ? prefix : prefix + "." + name
    }
}

/// A module that maps one tensor to one tensor, so it can sit in a `Sequential`.
public protocol Layer: Module {
    /// The forward pass.
    func callAsFunction(_ x: Tensor) -> Tensor
}

/// Why `loadStateDict` refused a state: every problem at once.
public struct StateDictError: Error, CustomStringConvertible {
    /// Names the module has and the state lacks.
    public var missing: [String]
    /// Names the state has and the module lacks.
    public var unexpected: [String]
    /// Names whose shapes differ.
    public var mismatched: [(name: String, expected: [Int], found: [Int])]

    /// The differences between a state and what a module holds.
    public init(missing: [String] = [], unexpected: [String] = [], mismatched: [(name: String, expected: [Int], found: [Int])] = []) {
        self.missing = missing
        self.unexpected = unexpected
        self.mismatched = mismatched
    }

    /// Whether the state and the module agree.
    public var isEmpty: Bool { missing.isEmpty && unexpected.isEmpty && mismatched.isEmpty }

    /// One line, listing the first few names of each kind and counting the rest.
    public var description: String {
        func list(_ items: [String]) -> String {
            let shown = items.prefix(5).joined(separator: ", ")
            return items.count > 5 ? shown + " and \(items.count - 5) more" : shown
        }
        var parts: [String] = []
        if !missing.isEmpty { parts.append("missing: \(list(missing))") }
        if !unexpected.isEmpty { parts.append("unexpected: \(list(unexpected))") }
        if !mismatched.isEmpty {
            parts.append("shape mismatch: " + list(mismatched.map {
                "\($0.name) expects \(OpMessage.format($0.expected)), got \(OpMessage.format($0.found))"
            }))
        }
        return "cannot load state dict: " + parts.joined(separator: "; ")
    }
}
