import Ember
import Foundation
import XCTest

/// A safetensors file of `tensors` (a state dict) and `metadata` in a fresh temporary folder.
func temporaryModelFile(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String]) throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ember-models-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let url = folder.appendingPathComponent("model.safetensors")
    try SafeTensors.write(tensors, metadata: metadata, to: url)
    return url
}

/// A committed fixture file.
func fixtureURL(_ path: String) -> URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(path)")
}
