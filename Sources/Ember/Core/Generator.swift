import Synchronization

/// xoshiro256**: fast, 256 bits of state, passes BigCrush.
struct Xoshiro256 {
    private(set) var s0, s1, s2, s3: UInt64

    /// The generator resumed from saved state words.
    init(state: (UInt64, UInt64, UInt64, UInt64)) {
        (s0, s1, s2, s3) = state
    }

    /// State expanded from one 64-bit seed through SplitMix64, as the authors advise.
    init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(); s1 = splitMix(); s2 = splitMix(); s3 = splitMix()
    }

    /// Next 64 random bits.
    @inline(__always)
    mutating func next() -> UInt64 {
        let m = s1 &* 5
        let result = (m << 7 | m >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// Uniform in [0, 1) with 53 random bits.
    @inline(__always)
    mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Uniform in `0..<bound` without modulo bias.
    mutating func below(_ bound: UInt64) -> UInt64 {
        precondition(bound > 0)
        let limit = UInt64.max - UInt64.max % bound
        while true {
            let r = next()
            if r < limit { return r % bound }
        }
    }
}

/// A seeded pseudo-random generator, as PyTorch's `torch.Generator`: the same seed
/// gives the same numbers bit for bit. Thread-safe.
public final class Generator: @unchecked Sendable {
    private let source: Mutex<Xoshiro256>

    /// A generator seeded with `seed`.
    public init(seed: UInt64) { source = Mutex(Xoshiro256(seed: seed)) }

    /// The process-wide generator used when an op is given none; `manualSeed(_:)` reseeds it.
    public static let `default` = Generator(seed: 0)

    /// Restarts the sequence from `seed`.
    public func manualSeed(_ seed: UInt64) { source.withLock { $0 = Xoshiro256(seed: seed) } }

    /// Next 64 random bits.
    public func next() -> UInt64 { source.withLock { $0.next() } }

    /// A double uniform in [0, 1).
    public func nextUniform() -> Double { source.withLock { $0.uniform() } }

    /// The generator's full state as four words, to save in a checkpoint and restore,
    /// so a resumed run draws the numbers an uninterrupted one would.
    public var state: [UInt64] {
        get { source.withLock { [$0.s0, $0.s1, $0.s2, $0.s3] } }
        set {
            precondition(newValue.count == 4 && newValue.contains { $0 != 0 }, "Generator.state: needs four words, not all zero")
            source.withLock { $0 = Xoshiro256(state: (newValue[0], newValue[1], newValue[2], newValue[3])) }
        }
    }

    /// Runs `body` with exclusive use of the state (one lock for a whole tensor's draws).
    func withSource<R>(_ body: (inout Xoshiro256) -> R) -> R { source.withLock { body(&$0) } }
}

/// Reseeds the default generator (PyTorch's `torch.manual_seed`).
public func manualSeed(_ seed: UInt64) { Generator.default.manualSeed(seed) }
