import Foundation

/// A discrete Fourier transform of one length, planned once and reused: mixed-radix
/// Cooley–Tukey (radix 4, 2, 3, 5 and any other prime by its direct sum), in float64
/// (real input of even length through a complex transform of half its length),
/// with the sign conventions of `numpy.fft` / `torch.fft`:
/// `X[k] = Σₙ x[n]·e^(−2πi·kn/N)`, and the inverse divided by `N`.
///
/// ```swift
/// let fft = FFT(size: 400)
/// let (re, im) = fft.forward(real: samples)     // 201 bins: 0 … N/2
/// ```
public struct FFT: Sendable {
    /// The transform's length `N`.
    public let size: Int
    /// The radices, first to last, whose product is `size`.
    private let factors: [Int]
    /// `e^(−2πi·t/N)` for `t` in `0..<N`, as (cos, sin) pairs.
    private let twiddles: [(re: Double, im: Double)]

    /// The radices of the half-size transform that real input of even `size` runs.
    private let halfFactors: [Int]

    /// A plan for transforms of `size` points (`size ≥ 1`).
    public init(size: Int) {
        precondition(size >= 1, "FFT: size must be positive, got \(size)")
        self.size = size
        factors = Self.radices(size)
        halfFactors = size % 2 == 0 ? Self.radices(size / 2) : []
        twiddles = (0..<size).map { t in
            let angle = -2 * Double.pi * Double(t) / Double(size)
            return (cos(angle), sin(angle))
        }
    }

    /// `n`'s radices: fours, twos, threes, fives, then any other primes.
    private static func radices(_ n: Int) -> [Int] {
        var factors: [Int] = [], rest = n
        for radix in [4, 2, 3, 5] {
            while rest % radix == 0 {
                factors.append(radix)
                rest /= radix
            }
        }
        var p = 7
        while rest > 1 {
            while rest % p == 0 {
                factors.append(p)
                rest /= p
            }
            p += 2
        }
        return factors.isEmpty ? [1] : factors
    }

    /// The transform of the complex sequence `(re, im)` (each of `size` values); the
    /// inverse one when `inverse` (conjugate exponent, divided by `size`).
    public func transform(re: [Double], im: [Double], inverse: Bool = false) -> (re: [Double], im: [Double]) {
        precondition(re.count == size && im.count == size, "FFT.transform: \(re.count) and \(im.count) values for a transform of \(size)")
        let sign = inverse ? -1.0 : 1.0
        var input = zip(re, im).map { (re: $0, im: sign * $1) }
        let output = run(&input, factors: factors)
        let scale = inverse ? 1 / Double(size) : 1
        return (output.map { $0.re * scale }, output.map { sign * $0.im * scale })
    }

    /// The transform of real `x` (`size` values): the `size / 2 + 1` non-negative
    /// frequencies, as `numpy.fft.rfft` returns them.
    public func forward(real x: [Double]) -> (re: [Double], im: [Double]) {
        precondition(x.count == size, "FFT.forward: \(x.count) values for a transform of \(size)")
        let bins = size / 2 + 1
        guard size % 2 == 0, size > 1 else {
            let (re, im) = transform(re: x, im: [Double](repeating: 0, count: size))
            return (Array(re.prefix(bins)), Array(im.prefix(bins)))
        }
        // Even and odd samples as one complex sequence of half the length: its transform
        // Z gives X[k] = E[k] + W^k·O[k], with E[k] = (Z[k] + Z̄[h−k]) / 2 and
        // O[k] = (Z[k] − Z̄[h−k]) / 2i.
        let h = size / 2
        var packed = (0..<h).map { (re: x[2 * $0], im: x[2 * $0 + 1]) }
        let z = run(&packed, factors: halfFactors)
        var re = [Double](repeating: 0, count: bins), im = re
        for k in 0...h {
            let a = z[k % h], b = z[(h - k) % h]
            let even = (re: (a.re + b.re) / 2, im: (a.im - b.im) / 2)
            let odd = (re: (a.im + b.im) / 2, im: (b.re - a.re) / 2)
            let w = twiddles[k]
            re[k] = even.re + w.re * odd.re - w.im * odd.im
            im[k] = even.im + w.re * odd.im + w.im * odd.re
        }
        return (re, im)
    }

    /// The real signal of `size` points whose non-negative frequencies are `(re, im)`
    /// (`size / 2 + 1` bins), as `numpy.fft.irfft`: the other half is their mirror
    /// image, and the imaginary parts of bin 0 (and of bin N/2 for even N) are ignored.
    public func inverse(re: [Double], im: [Double]) -> [Double] {
        let bins = size / 2 + 1
        precondition(re.count == bins && im.count == bins, "FFT.inverse: \(re.count) and \(im.count) bins for a transform of \(size)")
        var fullRe = [Double](repeating: 0, count: size), fullIm = [Double](repeating: 0, count: size)
        for k in 0..<bins {
            fullRe[k] = re[k]
            fullIm[k] = im[k]
        }
        fullIm[0] = 0
        if size % 2 == 0 { fullIm[size / 2] = 0 }
        for k in bins..<size {
            fullRe[k] = re[size - k]
            fullIm[k] = -im[size - k]
        }
        return transform(re: fullRe, im: fullIm, inverse: true).re
    }

    /// The transform of `input`, of `factors`' product of points: `size`, or half of it.
    private func run(_ input: inout [(re: Double, im: Double)], factors: [Int]) -> [(re: Double, im: Double)] {
        var output = [(re: Double, im: Double)](repeating: (0, 0), count: input.count)
        var scratch = [(re: Double, im: Double)](repeating: (0, 0), count: factors.max() ?? 1)
        input.withUnsafeMutableBufferPointer { x in
            output.withUnsafeMutableBufferPointer { y in
                scratch.withUnsafeMutableBufferPointer { terms in
                    recurse(x.baseAddress!, stride: 1, into: y.baseAddress!, count: x.count, level: 0, factors: factors,
                            terms: terms.baseAddress!)
                }
            }
        }
        return output
    }

    /// Decimation in time: the `count`-point transform of `x[0], x[stride], …` into
    /// `y[0..<count]`, splitting by `factors[level]`; `terms` holds a radix's inputs.
    private func recurse(_ x: UnsafeMutablePointer<(re: Double, im: Double)>, stride: Int,
                         into y: UnsafeMutablePointer<(re: Double, im: Double)>, count: Int, level: Int, factors: [Int],
                         terms: UnsafeMutablePointer<(re: Double, im: Double)>) {
        let p = factors[level], m = count / p
        if m == 1 {
            for q in 0..<p { y[q] = x[q * stride] }
        } else {
            for q in 0..<p {
                recurse(x + q * stride, stride: stride * p, into: y + q * m, count: m, level: level + 1, factors: factors, terms: terms)
            }
        }
        guard p > 1 else { return }
        // W_count^a = W_N^(a·N/count): every (N / count)-th twiddle of the table, which
        // serves the half-size transform of real input too.
        let tableStep = size / count
        for k in 0..<m {
            for q in 0..<p {
                let v = y[q * m + k], w = twiddles[(q * k * tableStep) % size]
                terms[q] = (v.re * w.re - v.im * w.im, v.re * w.im + v.im * w.re)
            }
            switch p {
            case 2:
                y[k] = (terms[0].re + terms[1].re, terms[0].im + terms[1].im)
                y[m + k] = (terms[0].re - terms[1].re, terms[0].im - terms[1].im)
            case 4:
                // Radix 4 with −i as the quarter turn.
                let (a, b, c, d) = (terms[0], terms[1], terms[2], terms[3])
                let s0 = (re: a.re + c.re, im: a.im + c.im), s1 = (re: a.re - c.re, im: a.im - c.im)
                let s2 = (re: b.re + d.re, im: b.im + d.im), s3 = (re: b.re - d.re, im: b.im - d.im)
                y[k] = (s0.re + s2.re, s0.im + s2.im)
                y[m + k] = (s1.re + s3.im, s1.im - s3.re)
                y[2 * m + k] = (s0.re - s2.re, s0.im - s2.im)
                y[3 * m + k] = (s1.re - s3.im, s1.im + s3.re)
            default:
                // A direct p-point sum: W_p^(qj) = W_count^(qj·m).
                for j in 0..<p {
                    var sum = (re: 0.0, im: 0.0)
                    for q in 0..<p {
                        let w = twiddles[((q * j) % p) * m * tableStep]
                        sum.re += terms[q].re * w.re - terms[q].im * w.im
                        sum.im += terms[q].re * w.im + terms[q].im * w.re
                    }
                    y[j * m + k] = sum
                }
            }
        }
    }
}
