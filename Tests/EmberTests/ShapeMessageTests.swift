import XCTest
@testable import Ember

/// The wording of programmer-error messages: each names the op and the shapes.
final class ShapeMessageTests: XCTestCase {
    func testMatmulMessageNamesShapesAndInnerDimensions() {
        XCTAssertEqual(ShapeMessage.matmul([2, 3], [4, 5]), "matmul: [2, 3] x [4, 5]: inner dimensions 3 and 4 differ")
        XCTAssertEqual(ShapeMessage.matmul([7], [3]), "matmul: [7] x [3]: inner dimensions 7 and 3 differ")
    }

    func testBroadcastMessage() {
        XCTAssertEqual(ShapeMessage.broadcast(op: "add", [2, 3], [4]), "add: shapes [2, 3] and [4] cannot be broadcast together")
    }

    func testReshapeAndDimensionMessages() {
        XCTAssertEqual(ShapeMessage.reshape([2, 3], [4, 2]), "reshape: cannot view [2, 3] (6 elements) as [4, 2] (8 elements)")
        XCTAssertEqual(ShapeMessage.badDim(op: "sum", dim: 3, rank: 2), "sum: dimension 3 is out of range for a tensor of rank 2")
        XCTAssertEqual(ShapeMessage.dtype(op: "exp", .int64, expected: "float32 or float64"), "exp: got dtype int64, expected float32 or float64")
        XCTAssertEqual(ShapeMessage.mismatch(op: "stack", [2], [3]), "stack: shapes [2] and [3] differ")
    }
}
