import Ember
import EmberDistributed
import EmberNN
import XCTest

/// `DistributedDataParallel` in one process: buckets in reverse parameter order, each
/// closed by the parameter that fills it, gradients left as they are (the mean over a
/// group of one), zeros for a parameter that got none, and the same with and without
/// overlap, and with the gradients as views of the buckets.
final class DistributedDataParallelTests: XCTestCase {
    private final class Net: Module, Layer {
        let first = Linear(inFeatures: 6, outFeatures: 5)
        let second = Linear(inFeatures: 5, outFeatures: 3)
        let unused = Linear(inFeatures: 2, outFeatures: 2)
        func callAsFunction(_ x: Tensor) -> Tensor { second(first(x).relu()) }
    }

    func testBucketsFollowBackwardOrderWithinTheirCapacity() throws {
        manualSeed(0)
        let net = Net()
        // Backward order, in floats: unused.bias 2, unused.weight 4, second.bias 3,
        // second.weight 15, first.bias 5, first.weight 30. A bucket closes with the
        // parameter that fills it: 8 floats for the first, 20 for the others.
        let ddp = try DistributedDataParallel(net, communicator: SingleProcessCommunicator(),
                                              firstBucketCapacity: 8 * 4, bucketCapacity: 20 * 4)
        XCTAssertEqual(ddp.bucketSizes, [3, 2, 1], "2 + 4 + 3 reach 8; 15 + 5 reach 20; 30 alone")
        let even = try DistributedDataParallel(net, communicator: SingleProcessCommunicator(),
                                               firstBucketCapacity: 20 * 4, bucketCapacity: 20 * 4)
        XCTAssertEqual(even.bucketSizes, [4, 2], "2 + 4 + 3 + 15 pass 20; 5 + 30")
        XCTAssertEqual(try DistributedDataParallel(net, communicator: SingleProcessCommunicator()).bucketSizes, [6])
    }

    func testAGroupOfOneLeavesGradientsAndFillsMissingOnes() throws {
        for overlap in [true, false] {
            for view in [false, true] {
                manualSeed(1)
                let net = Net()
                let ddp = try DistributedDataParallel(net, communicator: SingleProcessCommunicator(), firstBucketCapacity: 16,
                                                      bucketCapacity: 64, overlap: overlap, gradientAsBucketView: view)
                let x = Tensor.randn([4, 6], generator: Generator(seed: 2))
                net(x).pow(2).sum().backward()
                let before = net.parameters().map { $0.grad?.floats }
                try ddp.synchronize()
                for (p, grad) in zip(net.parameters(), before) {
                    XCTAssertEqual(p.grad?.floats, grad ?? [Float](repeating: 0, count: p.numel), "overlap \(overlap), view \(view)")
                }
                XCTAssertNotNil(net.unused.weight.grad, "a parameter backward never reached gets zeros, as on every process")
            }
        }
    }

    /// As views, the gradients are the buckets' memory: the next averaging overwrites
    /// one kept from the step before (also where backward added to it, or never reached
    /// it); as copies, a kept gradient stays as it was.
    func testGradientsAsBucketViewsShareTheBucketsMemory() throws {
        for view in [false, true] {
            manualSeed(3)
            let net = Net()
            let ddp = try DistributedDataParallel(net, communicator: SingleProcessCommunicator(), gradientAsBucketView: view)
            net(Tensor.randn([4, 6], generator: Generator(seed: 4))).pow(2).sum().backward()
            try ddp.synchronize()
            // Backward never reaches this one: next time its gradient (as a view) is copied onto itself.
            withNoGrad { net.unused.weight.grad!.copy(from: Tensor.ones([2, 2])) }
            let kept = net.parameters().map { $0.grad! }, first = kept.map(\.floats)
            net(Tensor.randn([4, 6], generator: Generator(seed: 5))).pow(2).sum().backward()   // adds to the gradients
            let sums = net.parameters().map { $0.grad!.floats }
            try ddp.synchronize()
            for (i, p) in net.parameters().enumerated() {
                XCTAssertEqual(p.grad?.floats, sums[i], "view \(view): the mean over a group of one")
                XCTAssertEqual(kept[i].floats, view ? sums[i] : first[i], "view \(view), parameter \(i)")
            }
        }
    }
}
