import XCTest
@testable import Ember

/// The wording of programmer-error messages: each names the op and the shapes.
final class OpMessageTests: XCTestCase {
    func testMatmulMessageNamesShapesAndInnerDimensions() {
        XCTAssertEqual(OpMessage.matmul([2, 3], [4, 5]), "matmul: [2, 3] x [4, 5]: inner dimensions 3 and 4 differ")
        XCTAssertEqual(OpMessage.matmul([7], [3]), "matmul: [7] x [3]: inner dimensions 7 and 3 differ")
    }

    func testBroadcastMessage() {
        XCTAssertEqual(OpMessage.broadcast(op: "add", [2, 3], [4]), "add: shapes [2, 3] and [4] cannot be broadcast together")
    }

    func testReshapeAndDimensionMessages() {
        XCTAssertEqual(OpMessage.reshape([2, 3], [4, 2]), "reshape: cannot view [2, 3] (6 elements) as [4, 2] (8 elements)")
        XCTAssertEqual(OpMessage.badDim(op: "sum", dim: 3, rank: 2), "sum: dimension 3 is out of range for a tensor of rank 2")
        XCTAssertEqual(OpMessage.dtype(op: "exp", .int64, expected: "float32 or float64"), "exp: got dtype int64, expected float32 or float64")
        XCTAssertEqual(OpMessage.mismatch(op: "stack", [2], [3]), "stack: shapes [2] and [3] differ")
    }
}
