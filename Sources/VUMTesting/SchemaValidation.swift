import Foundation

/// Validates JSON documents against a schema in `Docs/schemas/` with Python's `jsonschema`
/// (`scripts/validate-json.py`): a validator independent of the Swift code under test.
public enum SchemaValidation {
    /// `repository` is the project's root folder; `documents` are serialized JSON texts.
    public static func validate(schema: String, documents: [String], repository: URL) async throws
        -> ChildProcess.Result
    {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(
            "vum-schema-\(UUID().uuidString).ndjson")
        try documents.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        return try await ChildProcess.run(
            "/usr/bin/env",
            [
                "python3", repository.appendingPathComponent("scripts/validate-json.py").path,
                repository.appendingPathComponent("Docs/schemas/\(schema).schema.json").path, file.path,
            ])
    }
}
