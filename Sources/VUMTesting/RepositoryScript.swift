import Foundation

/// Finds the repository's `scripts/` from a test's `#filePath`.
enum RepositoryScript {
    static func path(_ name: String, above sourceFile: String) throws -> String {
        var url = URL(fileURLWithPath: sourceFile).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            guard url.pathComponents.count > 1 else {
                throw InboxError("no Package.swift above \(sourceFile): cannot find scripts/\(name)")
            }
            url = url.deletingLastPathComponent()
        }
        return url.appendingPathComponent("scripts/\(name)").path
    }
}
