// Data-parallel training as PyTorch's DistributedDataParallel does it, with the loop
// written out: every process builds the same model (rank 0's weights are copied to the
// others), trains on its own shard of every batch, and averages the gradients over the
// group after each backward pass. On generated images, so it needs no data set.
//
//     swift build -c release --product DataParallelExample
//     mpirun -np 2 .build/release/DataParallelExample [mlp|cnn] [--steps 20] [--no-overlap] [--out FINAL.safetensors]
//
// Started without mpirun it is one process. With --out, rank 0 writes the final
// parameters: 2 processes give those of 1 at the same global batch (the tests compare them).
import Ember
import EmberData
import EmberDistributed
import EmberModels
import EmberNN
import Foundation

var arguments = Array(CommandLine.arguments.dropFirst())
func option(_ name: String) -> String? {
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return nil }
    defer { arguments.removeSubrange(i...(i + 1)) }
    return arguments[i + 1]
}
let out = option("--out"), steps = Int(option("--steps") ?? "20") ?? 20
let overlap = !arguments.contains("--no-overlap")
let kind = arguments.first { !$0.hasPrefix("--") } ?? "mlp"
guard kind == "mlp" || kind == "cnn", steps > 0 else {
    print("usage: DataParallelExample [mlp|cnn] [--steps N] [--no-overlap] [--out FILE.safetensors]")
    exit(2)
}

let world: any Communicator
do {
    world = try Distributed.world()
} catch {
    print("error: \(error)")
    exit(1)
}
/// Stops every process if one fails, rather than leave the others waiting.
func orAbort<T>(_ body: () throws -> T) -> T {
    do { return try body() } catch { world.abort("\(error)") }
}

// 512 generated 28×28 images of 10 classes; every process makes the same ones.
let images = Tensor.rand([512, 1, 28, 28], generator: Generator(seed: 7))
let labels = Tensor.randint(0, 10, [512], generator: Generator(seed: 8))
let globalBatch = 32
precondition(globalBatch % world.size == 0, "the global batch of \(globalBatch) must split evenly over \(world.size) processes")
let loader = DataLoader(TensorDataset(inputs: images, targets: labels), batchSize: globalBatch / world.size, shuffle: true, seed: 0,
                        shard: DataLoader.Shard(rank: world.rank, count: world.size))

manualSeed(world.rank == 0 ? 1 : UInt64(100 + world.rank))   // only rank 0's initial weights count
let model: any Layer = kind == "mlp" ? MLP(MLPConfig(hidden: [64, 32], dropout: 0))
                                     : CNN(CNNConfig(dropout: 0, batchNorm: false))
let ddp = orAbort { try DistributedDataParallel(model, communicator: world, overlap: overlap) }
let optimizer = SGD(parameters: model.parameters(), lr: 0.05, momentum: 0.9)

var step = 0, epoch = 0
model.train()
training: while true {
    for batch in loader.batches(epoch: epoch) {
        let loss = crossEntropy(model(batch.inputs), batch.targets)    // this process's mean over its shard
        optimizer.zeroGrad()
        loss.backward()
        orAbort { try ddp.synchronize() }                            // now the mean over the global batch
        optimizer.step()
        step += 1
        let mean = orAbort { try world.sum([loss.item()]) }[0] / Double(world.size)
        if world.isMain && step % 5 == 0 { print(String(format: "step %d: loss %.4f", step, mean)) }
        if step == steps { break training }
    }
    epoch += 1
}
if world.isMain {
    print(String(format: "%@ on %d process%@, %d steps of %d images: %.3f s waiting on communication (overlap %@)",
                 kind, world.size, world.size == 1 ? "" : "es", steps, globalBatch, ddp.waitSeconds, overlap ? "on" : "off"))
    if let out { orAbort { try SafeTensors.write(model.stateDict(), to: URL(fileURLWithPath: out)) } }
}
orAbort { try Distributed.finish(world) }
