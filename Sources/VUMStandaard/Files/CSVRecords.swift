/// The CSV layout for records (documented in `Docs/standaard.md`, "CSV layout"):
///
/// - RFC 4180: comma-separated, fields with commas, quotes or line breaks in double quotes (`""` is a
///   quote), LF or CRLF line ends, UTF-8, one header line, one record per row;
/// - each header is the JSON path of a field of the standard: `idWerkzoekende`,
///   `mobiliteit.bemiddelingspostcode`; an array of values takes `[]` (`emailadres[]`), a field of the
///   objects in an array takes `[]` before it (`bemiddelingsberoep[].codeBeroepsnaam`); at most one `[]`
///   per header;
/// - in an array column the elements are separated by `|`, and the columns of one array line up by
///   position: `arbeidsmarktkwalificatie.taalbeheersing[].codeTaal` = `nld|eng` with
///   `...[].codeNiveauTaalbeheersingMondeling` = `3|2`; an empty slot leaves that element's field out;
/// - an empty cell is an absent field; a field the standard defines as a number is written as one
///   (`24`), everything else is text (`"3"` for a werk- en denkniveau code stays text).
///
/// Rows become JSON records, which the standard then validates like any other: a wrong value is
/// reported with its line and JSON path, and the other rows still load.
enum CSVRecords {
    /// The fields the standard defines as numbers (checked against the JSON Schemas by a test).
    static let integerFields: Set<String> = [
        "aantalJarenWerkzaamInBeroep", "aantalWerkurenPerWeekMaximaal", "aantalWerkurenPerWeekMinimaal",
        "codeNiveauOpleiding", "codeNiveauTaalbeheersingLezen", "codeNiveauTaalbeheersingLuisteren",
        "codeNiveauTaalbeheersingMondeling", "codeNiveauTaalbeheersingSchriftelijk", "codeSbi", "codeStatusOpleiding",
        "codeVervoermiddel", "codeWebadres", "codeWerkEnDenkniveauWerkzoekende", "huisnummer",
        "indicatieAanpassingWerkomgeving", "indicatieBegeleiding", "indicatieBeschikbaarVoorUitvoeringWerk",
        "indicatieBeschikbaarVoorWoonWerkverkeer", "indicatieBeschikbaarheidContactgegevens", "indicatieCertificaat",
        "indicatieDiploma", "indicatieKantoortijden", "indicatieLdrRegistratie",
        "indicatieOnregelmatigWerkOfPloegendienst",
        "indicatieWerkvariatie", "maximaleReisafstand", "maximaleReistijd",
    ]

    /// A column: where its values go.
    struct Column {
        /// Object keys before the array (or the whole path when there is no array).
        var head: [String]
        /// Whether the column is an array, and the object keys inside each element (empty: scalar elements).
        var isArray: Bool
        var tail: [String]
        var name: String
    }

    struct HeaderError: Error, CustomStringConvertible { var description: String }

    static func columns(_ header: [String]) throws(HeaderError) -> [Column] {
        var seen: Set<String> = []
        return try header.enumerated().map { (i, raw) throws(HeaderError) -> Column in
            let name = raw.trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty else { throw HeaderError(description: "column \(i + 1) has no name") }
            guard seen.insert(name).inserted else { throw HeaderError(description: "column \"\(name)\" appears twice") }
            let parts = name.components(separatedBy: "[]")
            guard parts.count <= 2 else {
                throw HeaderError(
                    description:
                        "column \"\(name)\": at most one [] per column (arrays inside arrays need JSON or NDJSON)")
            }
            func keys(_ s: String) throws(HeaderError) -> [String] {
                let k = s.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
                guard !k.contains(where: \.isEmpty) else {
                    throw HeaderError(description: "column \"\(name)\" is not a dotted JSON path")
                }
                return k
            }
            let head = try keys(parts[0])
            var tail: [String] = []
            if parts.count == 2, !parts[1].isEmpty {
                guard parts[1].hasPrefix(".") else {
                    throw HeaderError(description: "column \"\(name)\": expected \".\" after []")
                }
                tail = try keys(String(parts[1].dropFirst()))
            }
            return Column(head: head, isArray: parts.count == 2, tail: tail, name: name)
        }
    }

    static func value(_ text: String, leaf: String) -> JSONValue {
        if integerFields.contains(leaf), let n = Int64(text.trimmingCharacters(in: .whitespaces)) {
            return .number(.integer(n))
        }
        return .string(text)
    }

    /// One row as a JSON record.
    static func record(_ cells: [String], _ columns: [Column]) -> JSONValue {
        var root = JSONValue.object(JSONObject())
        for (column, cell) in zip(columns, cells) where !cell.isEmpty {
            if !column.isArray {
                set(&root, column.head, value(cell, leaf: column.head.last!))
                continue
            }
            let slots = cell.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            var array: [JSONValue] = {
                if case .array(let a)? = get(root, column.head) { return a }
                return []
            }()
            for (i, slot) in slots.enumerated() {
                while array.count <= i { array.append(column.tail.isEmpty ? .null : .object(JSONObject())) }
                guard !slot.isEmpty else { continue }
                if column.tail.isEmpty {
                    array[i] = value(slot, leaf: column.head.last!)
                } else {
                    set(&array[i], column.tail, value(slot, leaf: column.tail.last!))
                }
            }
            set(&root, column.head, .array(array))
        }
        return root
    }

    static func get(_ value: JSONValue, _ path: [String]) -> JSONValue? {
        var current = value
        for key in path {
            guard case .object(let o) = current, let next = o[key] else { return nil }
            current = next
        }
        return current
    }

    static func set(_ target: inout JSONValue, _ path: [String], _ value: JSONValue) {
        guard let key = path.first else {
            target = value
            return
        }
        var object: JSONObject
        if case .object(let o) = target { object = o } else { object = JSONObject() }
        var child = object[key] ?? .object(JSONObject())
        set(&child, Array(path.dropFirst()), value)
        object[key] = child
        target = .object(object)
    }

    /// Hands over the records of a CSV file row by row. A bad header is an error; a short or long row, or
    /// a quoted field left open at the end, is an entry with its error.
    static func scan(_ bytes: [UInt8], _ body: (RecordFile.Entry) -> Void) throws(RecordFileError) {
        var columns: [Column]?
        var headerError: HeaderError?
        var index = 0
        let unclosed = forEachRow(bytes) { line, fields in
            guard let columns else {
                do throws(HeaderError) { columns = try Self.columns(fields) } catch { headerError = error }
                return headerError == nil
            }
            let position = "line \(line)"
            if fields.count != columns.count {
                body(
                    RecordFile.Entry(
                        index: index, position: position,
                        json: .failure(
                            RecordFileError(
                                description: "\(fields.count) fields where the header has \(columns.count)"))))
            } else {
                body(RecordFile.Entry(index: index, position: position, json: .success(record(fields, columns))))
            }
            index += 1
            return true
        }
        if let headerError {
            throw RecordFileError(description: "is not CSV in the records layout: \(headerError.description)")
        }
        guard columns != nil else {
            throw RecordFileError(description: "is not CSV in the records layout: the file is empty")
        }
        if let line = unclosed {
            body(
                RecordFile.Entry(
                    index: index, position: "line \(line)",
                    json: .failure(
                        RecordFileError(
                            description: "a quoted field is not closed before the end of the file"))))
        }
    }

    /// Splits CSV bytes into rows of fields, each with the line it starts on; `body` returns false to stop.
    /// Returns the line of a quoted field still open at the end, if any.
    static func forEachRow(_ bytes: [UInt8], _ body: (Int, [String]) -> Bool) -> Int? {
        var fields: [String] = []
        var field: [UInt8] = []
        var line = 1
        var rowStart = 1
        var quoted = false
        var i = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var stopped = false
        func endRow() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            if !(fields.count == 1 && fields[0].isEmpty) && !stopped { stopped = !body(rowStart, fields) }
            fields.removeAll(keepingCapacity: true)
        }
        while i < bytes.count && !stopped {
            let b = bytes[i]
            if quoted {
                if b == UInt8(ascii: "\"") {
                    if i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "\"") {
                        field.append(b)
                        i += 1
                    } else {
                        quoted = false
                    }
                } else {
                    if b == 0x0A { line += 1 }
                    field.append(b)
                }
            } else if b == UInt8(ascii: "\"") && field.isEmpty {
                quoted = true
            } else if b == UInt8(ascii: ",") {
                fields.append(String(decoding: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
            } else if b == 0x0A || b == 0x0D {
                if b == 0x0D && i + 1 < bytes.count && bytes[i + 1] == 0x0A { i += 1 }
                endRow()
                line += 1
                rowStart = line
            } else {
                field.append(b)
            }
            i += 1
        }
        if stopped { return nil }
        if quoted { return rowStart }
        if !field.isEmpty || !fields.isEmpty { endRow() }
        return nil
    }
}
