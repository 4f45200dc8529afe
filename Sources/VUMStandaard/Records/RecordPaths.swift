/// Builds a record's JSON from values addressed by dotted paths (`werktijden.aantalWerkurenPerWeekMinimaal`),
/// as text from a foreign system: the CSV layout and the adapter's PostgreSQL mapping both read records
/// this way, and the standard then validates the result like any other record.
public enum RecordPaths {
    /// Whether the standard defines the field with this last path component as a number.
    public static func isInteger(_ leaf: String) -> Bool { CSVRecords.integerFields.contains(leaf) }

    /// The JSON value of a text for a field: a number where the standard has a number and the text is
    /// one, else the text (which validation then rejects with its path when it is not a number).
    public static func value(_ text: String, leaf: String) -> JSONValue { CSVRecords.value(text, leaf: leaf) }

    /// Puts `value` at `path` (object keys), creating the objects on the way.
    public static func set(_ target: inout JSONValue, _ path: [String], _ value: JSONValue) {
        CSVRecords.set(&target, path, value)
    }
}
