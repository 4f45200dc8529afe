import Foundation
import VUMStandaard

/// Where the tests find the PC4 centroids: `VUM_PC4_TABLE`, or `../shared/data/nl-pc4.csv` beside the
/// repository (the data stays in `../shared`; its location is configuration).
public let testPC4TablePath: String =
    ProcessInfo.processInfo.environment["VUM_PC4_TABLE"]
    ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/data/nl-pc4.csv").path

/// The PC4 table, loaded once per test process.
public let testPC4Table: PC4Table = {
    do {
        return try PC4Table.load(path: testPC4TablePath)
    } catch {
        fatalError("\(error) (set VUM_PC4_TABLE to the nl-pc4.csv of ../shared/data)")
    }
}()
