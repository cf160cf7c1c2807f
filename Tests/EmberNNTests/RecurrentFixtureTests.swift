import XCTest
import Ember
import EmberNN

/// RNN, LSTM and GRU (and their cells) with PyTorch's weights, loaded by name, against
/// PyTorch's outputs and gradients (`Fixtures/make_recurrent_fixtures.py`).
final class RecurrentFixtureTests: XCTestCase {
    private struct Case {
        let raw: [String: Any]
        init(_ name: String) { raw = Fixtures.recurrent[name] as! [String: Any] }
        subscript(key: String) -> Tensor? { raw[key].map(Fixtures.tensor) }
        var state: [String: Tensor] { (raw["state"] as! [String: Any]).mapValues(Fixtures.tensor) }
        var grads: [String: Tensor] { (raw["grads"] as! [String: Any]).mapValues(Fixtures.tensor) }
    }

    /// Loads the case's weights into `module`, runs `forward` on leaves made from the
    /// case's input and states, and checks the outputs and every gradient.
    private func check(_ name: String, _ module: Module, file: StaticString = #filePath, line: UInt = #line,
                       _ forward: (_ x: Tensor, _ h0: Tensor, _ c0: Tensor?) -> (output: Tensor?, h: Tensor, c: Tensor?)) {
        let c = Case(name)
        XCTAssertNoThrow(try module.loadStateDict(c.state), file: file, line: line)
        let x = c["input"]!.requiringGrad(), h0 = c["h0"]!.requiringGrad(), c0 = c["c0"]?.requiringGrad()
        let result = forward(x, h0, c0)
        var loss = (result.h * c["r_h"]!).sum()
        assertClose(result.h, c["h"]!, "\(name) h", file: file, line: line)
        if let output = result.output {
            assertClose(output, c["output"]!, "\(name) output", file: file, line: line)
            loss = loss + (output * c["r_out"]!).sum()
        }
        if let cell = result.c {
            assertClose(cell, c["c"]!, "\(name) c", file: file, line: line)
            loss = loss + (cell * c["r_c"]!).sum()
        }
        loss.backward()
        let expected = c.grads
        var actual: [String: Tensor?] = ["input": x.grad, "h0": h0.grad]
        if let c0 { actual["c0"] = c0.grad }
        for (n, p) in module.namedParameters() { actual[n] = p.grad }
        XCTAssertEqual(Set(actual.keys), Set(expected.keys), "\(name) gradient names", file: file, line: line)
        for (key, g) in expected {
            guard let a = actual[key] ?? nil else { XCTFail("\(name): no gradient for \(key)", file: file, line: line); continue }
            assertClose(a, g, "\(name) gradient of \(key)", file: file, line: line)
        }
    }

    func testStackedBidirectionalBatchFirstNetworks() {
        for (name, nonlinearity) in [("rnn_tanh", RNNNonlinearity.tanh), ("rnn_relu", .relu)] {
            let rnn = RNN(inputSize: 5, hiddenSize: 6, numLayers: 2, nonlinearity: nonlinearity, batchFirst: true,
                          bidirectional: true, dtype: .float64)
            check(name, rnn) { x, h0, _ in let r = rnn(x, h0); return (r.output, r.h, nil) }
        }
        let lstm = LSTM(inputSize: 5, hiddenSize: 6, numLayers: 2, batchFirst: true, bidirectional: true, dtype: .float64)
        check("lstm", lstm) { x, h0, c0 in let r = lstm(x, (h0, c0!)); return (r.output, r.state.h, r.state.c) }
        let gru = GRU(inputSize: 5, hiddenSize: 6, numLayers: 2, batchFirst: true, bidirectional: true, dtype: .float64)
        check("gru", gru) { x, h0, _ in let r = gru(x, h0); return (r.output, r.h, nil) }
    }

    func testTimeFirstNetworks() {
        let lstm = LSTM(inputSize: 3, hiddenSize: 11, dtype: .float64)
        check("lstm_time_first", lstm) { x, h0, c0 in let r = lstm(x, (h0, c0!)); return (r.output, r.state.h, r.state.c) }
        let gru = GRU(inputSize: 3, hiddenSize: 11, dtype: .float64)
        check("gru_time_first", gru) { x, h0, _ in let r = gru(x, h0); return (r.output, r.h, nil) }
    }

    func testCells() {
        let rnn = RNNCell(inputSize: 4, hiddenSize: 5, dtype: .float64)
        check("rnn_cell", rnn) { x, h, _ in (nil, rnn(x, h), nil) }
        let gru = GRUCell(inputSize: 4, hiddenSize: 5, dtype: .float64)
        check("gru_cell", gru) { x, h, _ in (nil, gru(x, h), nil) }
        let lstm = LSTMCell(inputSize: 4, hiddenSize: 5, dtype: .float64)
        check("lstm_cell", lstm) { x, h, c in let s = lstm(x, (h, c!)); return (nil, s.h, s.c) }
    }

    func testParameterNamesFollowPyTorch() {
        let lstm = LSTM(inputSize: 2, hiddenSize: 3, numLayers: 2, bidirectional: true)
        XCTAssertEqual(lstm.namedParameters().map(\.name).prefix(8), [
            "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
            "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse",
        ])
        XCTAssertEqual(lstm.stateDict().first { $0.name == "weight_ih_l1" }?.tensor.shape, [12, 6])
        XCTAssertEqual(GRU(inputSize: 2, hiddenSize: 3, bias: false).namedParameters().map(\.name), ["weight_ih_l0", "weight_hh_l0"])
    }

    func testUnbatchedInputAndDefaultStates() {
        let gru = GRU(inputSize: 2, hiddenSize: 3, numLayers: 2, bidirectional: true)
        let x = Tensor.randn([5, 2], generator: Generator(seed: 4))
        let single = gru(x)
        XCTAssertEqual(single.output.shape, [5, 6])
        XCTAssertEqual(single.h.shape, [4, 3])
        // The same as a batch of one with zero initial states.
        let batched = gru(x.unsqueeze(1), Tensor.zeros([4, 1, 3]))
        XCTAssertLessThan((batched.output.squeeze(1) - single.output).abs().max().item(), 1e-6)
        // The last step's forward half of the output is the top layer's final forward state.
        XCTAssertLessThan((single.output[4][0..<3] - single.h[2]).abs().max().item(), 1e-6)
        XCTAssertLessThan((single.output[0][3..<6] - single.h[3]).abs().max().item(), 1e-6)
    }
}
