import VUMStandaard

/// Checks a mapping's paths and codes against the standard itself, without a database: each mapped field
/// is put into an otherwise empty record and the standard's validator says whether that field exists,
/// has the shape the mapping gives it, and accepts every value the codes translate to.
enum ProbeRecord {
    static func check(_ mapping: RecordMapping, file: String) throws(MappingError) {
        for f in mapping.fields {
            try probe(f, file: file, mapping.gegevensset) { value in
                var record = JSONValue.object(JSONObject())
                RecordPaths.set(&record, f.path, value)
                return (record, f.name)
            }
        }
        for a in mapping.arrays {
            for f in a.fields {
                try probe(f, file: file, mapping.gegevensset) { value in
                    var element = JSONValue.object(JSONObject())
                    if f.path.isEmpty { element = value } else { RecordPaths.set(&element, f.path, value) }
                    var record = JSONValue.object(JSONObject())
                    RecordPaths.set(&record, a.path, .array([element]))
                    return (record, ([a.name + "[0]"] + f.path).joined(separator: "."))
                }
            }
        }
    }

    /// `place` puts a value where the field goes and says the path validation reports it under.
    private static func probe(
        _ f: FieldMapping, file: String, _ g: Gegevensset,
        _ place: (JSONValue) -> (JSONValue, String)
    ) throws(MappingError) {
        let sample: JSONValue =
            RecordPaths.isInteger(f.leaf) ? .number(.integer(1)) : .string(f.isDate ? "2025-01-01" : "x")
        let location = "\(file)\(f.line.map { " line \($0)" } ?? ""): \(f.location)"
        let (record, path) = place(sample)
        for issue in issues(record, g)
        where path == issue.path || path.hasPrefix(issue.path + ".") || path.hasPrefix(issue.path + "[") {
            if issue.message.hasPrefix("is not a field") {
                throw MappingError("\(location): \(issue.path) is not a field of the standard's \(g.rawValue)")
            }
            if issue.path != path, issue.message.hasPrefix("must be an array") {
                throw MappingError("\(location): \(issue.path) is an array in the standard: map it under arrays:")
            }
            if issue.path != path, issue.message.hasPrefix("must be") {
                throw MappingError("\(location): \(issue.path) \(issue.message)")
            }
            if issue.path == path,
                issue.message.hasPrefix("must be an object") || issue.message.hasPrefix("must be an array")
            {
                throw MappingError("\(location): \(path) \(issue.message): map its fields, not the whole")
            }
        }
        for (local, value) in (f.codes ?? [:]).sorted(by: { $0.key < $1.key })
            + (f.fallback.map { [("default", $0)] } ?? [])
        {
            let (record, path) = place(value)
            if let issue = issues(record, g).first(where: { $0.path == path && $0.severity == .error }) {
                throw MappingError(
                    "\(location): \(local == "default" ? "default" : "codes.\(local)"): "
                        + "\(value.serialized()) is not a valid \(f.leaf): \(issue.message)")
            }
        }
    }

    private static func issues(_ record: JSONValue, _ g: Gegevensset) -> [ValidationIssue] {
        switch g {
        case .werkzoekenden: issues(Werkzoekende.validate(record))
        case .vacatures: issues(Vacature.validate(record))
        }
    }

    private static func issues<R>(_ result: Result<Validated<R>, ValidationError>) -> [ValidationIssue] {
        switch result {
        case .success(let v): v.warnings
        case .failure(let e): e.issues
        }
    }
}
