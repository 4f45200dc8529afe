import CRabbitMQ
import Foundation

/// Owns the C memory behind the `amqp_bytes_t`, tables and properties of one library call.
///
/// rabbitmq-c keeps raw pointers; `amqp_cstring_bytes(swiftString)` would point into a temporary that
/// Swift frees at once. Everything handed to the library is copied into buffers this arena allocates
/// and frees only when the arena dies, after the call returned.
final class CArena {
    private var allocations: [UnsafeMutableRawPointer] = []

    deinit {
        for p in allocations { free(p) }
    }

    /// Frees what the last call used and keeps the bookkeeping, so one arena serves many calls.
    func reset() {
        for p in allocations { free(p) }
        allocations.removeAll(keepingCapacity: true)
    }

    /// malloc's alignment suits every C type handed to the library.
    private func allocate(_ size: Int) -> UnsafeMutableRawPointer {
        let p = malloc(max(size, 1))!
        allocations.append(p)
        return p
    }

    func bytes(_ string: String) -> amqp_bytes_t {
        var s = string
        return s.withUTF8 { bytes(UnsafeRawBufferPointer($0)) }
    }

    func bytes(_ raw: UnsafeRawBufferPointer) -> amqp_bytes_t {
        let p = allocate(raw.count)
        if raw.count > 0 { p.copyMemory(from: raw.baseAddress!, byteCount: raw.count) }
        return amqp_bytes_t(len: raw.count, bytes: p)
    }

    func bytes(_ array: [UInt8]) -> amqp_bytes_t {
        array.withUnsafeBytes { bytes($0) }
    }

    /// A NUL-terminated copy, for the few functions that take `const char *`.
    func cString(_ string: String) -> UnsafePointer<CChar> {
        let utf8 = Array(string.utf8)
        let p = allocate(utf8.count + 1).bindMemory(to: CChar.self, capacity: utf8.count + 1)
        for (i, b) in utf8.enumerated() { p[i] = CChar(bitPattern: b) }
        p[utf8.count] = 0
        return UnsafePointer(p)
    }

    func table(_ table: AMQPTable?) -> amqp_table_t {
        guard let table, !table.isEmpty else { return amqp_empty_table }
        let entries = allocate(MemoryLayout<amqp_table_entry_t>.stride * table.count)
            .bindMemory(to: amqp_table_entry_t.self, capacity: table.count)
        for (i, entry) in table.entries.enumerated() {
            (entries + i).initialize(to: amqp_table_entry_t(key: bytes(entry.key), value: field(entry.value)))
        }
        return amqp_table_t(num_entries: Int32(table.count), entries: entries)
    }

    func field(_ value: AMQPFieldValue) -> amqp_field_value_t {
        var f = amqp_field_value_t()
        switch value {
        case .string(let s):
            f.kind = UInt8(AMQP_FIELD_KIND_UTF8.rawValue)
            f.value.bytes = bytes(s)
        case .bool(let b):
            f.kind = UInt8(AMQP_FIELD_KIND_BOOLEAN.rawValue)
            f.value.boolean = b ? 1 : 0
        case .int8(let v):
            f.kind = UInt8(AMQP_FIELD_KIND_I8.rawValue)
            f.value.i8 = v
        case .int16(let v):
            f.kind = UInt8(AMQP_FIELD_KIND_I16.rawValue)
            f.value.i16 = v
        case .int32(let v):
            f.kind = UInt8(AMQP_FIELD_KIND_I32.rawValue)
            f.value.i32 = v
        case .int64(let v):
            f.kind = UInt8(AMQP_FIELD_KIND_I64.rawValue)
            f.value.i64 = v
        case .float(let v):
            f.kind = UInt8(AMQP_FIELD_KIND_F32.rawValue)
            f.value.f32 = v
        case .double(let v):
            f.kind = UInt8(AMQP_FIELD_KIND_F64.rawValue)
            f.value.f64 = v
        case .timestamp(let v):
            f.kind = UInt8(AMQP_FIELD_KIND_TIMESTAMP.rawValue)
            f.value.u64 = v
        case .bytes(let b):
            f.kind = UInt8(AMQP_FIELD_KIND_BYTES.rawValue)
            f.value.bytes = bytes(b)
        case .table(let t):
            f.kind = UInt8(AMQP_FIELD_KIND_TABLE.rawValue)
            f.value.table = table(t)
        case .array(let a):
            f.kind = UInt8(AMQP_FIELD_KIND_ARRAY.rawValue)
            let entries = allocate(MemoryLayout<amqp_field_value_t>.stride * max(a.count, 1))
                .bindMemory(to: amqp_field_value_t.self, capacity: max(a.count, 1))
            for (i, v) in a.enumerated() { (entries + i).initialize(to: field(v)) }
            f.value.array = amqp_array_t(num_entries: Int32(a.count), entries: entries)
        case .void:
            f.kind = UInt8(AMQP_FIELD_KIND_VOID.rawValue)
        }
        return f
    }

    func properties(_ p: AMQPProperties) -> amqp_basic_properties_t {
        var c = amqp_basic_properties_t()
        var flags: UInt32 = 0
        func set(_ flag: Int32) { flags |= UInt32(flag) }
        if let v = p.contentType {
            c.content_type = bytes(v)
            set(AMQP_BASIC_CONTENT_TYPE_FLAG)
        }
        if let v = p.contentEncoding {
            c.content_encoding = bytes(v)
            set(AMQP_BASIC_CONTENT_ENCODING_FLAG)
        }
        if let v = p.headers {
            c.headers = table(v)
            set(AMQP_BASIC_HEADERS_FLAG)
        }
        if let v = p.deliveryMode {
            c.delivery_mode = v.rawValue
            set(AMQP_BASIC_DELIVERY_MODE_FLAG)
        }
        if let v = p.priority {
            c.priority = v
            set(AMQP_BASIC_PRIORITY_FLAG)
        }
        if let v = p.correlationID {
            c.correlation_id = bytes(v)
            set(AMQP_BASIC_CORRELATION_ID_FLAG)
        }
        if let v = p.replyTo {
            c.reply_to = bytes(v)
            set(AMQP_BASIC_REPLY_TO_FLAG)
        }
        if let v = p.expiration {
            c.expiration = bytes(v)
            set(AMQP_BASIC_EXPIRATION_FLAG)
        }
        if let v = p.messageID {
            c.message_id = bytes(v)
            set(AMQP_BASIC_MESSAGE_ID_FLAG)
        }
        if let v = p.timestamp {
            c.timestamp = v
            set(AMQP_BASIC_TIMESTAMP_FLAG)
        }
        if let v = p.type {
            c.type = bytes(v)
            set(AMQP_BASIC_TYPE_FLAG)
        }
        if let v = p.userID {
            c.user_id = bytes(v)
            set(AMQP_BASIC_USER_ID_FLAG)
        }
        if let v = p.appID {
            c.app_id = bytes(v)
            set(AMQP_BASIC_APP_ID_FLAG)
        }
        if let v = p.clusterID {
            c.cluster_id = bytes(v)
            set(AMQP_BASIC_CLUSTER_ID_FLAG)
        }
        c._flags = flags
        return c
    }
}

/// Copies out of library memory (which rabbitmq-c reuses after `amqp_maybe_release_buffers`).
enum CDecode {
    static func string(_ b: amqp_bytes_t) -> String {
        guard b.len > 0, let p = b.bytes else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: p, count: b.len), as: UTF8.self)
    }

    static func data(_ b: amqp_bytes_t) -> Data {
        guard b.len > 0, let p = b.bytes else { return Data() }
        return Data(bytes: p, count: b.len)
    }

    static func table(_ t: amqp_table_t) -> AMQPTable {
        var result = AMQPTable()
        guard t.num_entries > 0, let entries = t.entries else { return result }
        for i in 0..<Int(t.num_entries) {
            result[string(entries[i].key)] = field(entries[i].value)
        }
        return result
    }

    static func field(_ f: amqp_field_value_t) -> AMQPFieldValue {
        switch UInt32(f.kind) {
        case AMQP_FIELD_KIND_UTF8.rawValue: return .string(string(f.value.bytes))
        case AMQP_FIELD_KIND_BYTES.rawValue: return .bytes(Array(data(f.value.bytes)))
        case AMQP_FIELD_KIND_BOOLEAN.rawValue: return .bool(f.value.boolean != 0)
        case AMQP_FIELD_KIND_I8.rawValue: return .int8(f.value.i8)
        case AMQP_FIELD_KIND_U8.rawValue: return .int16(Int16(f.value.u8))
        case AMQP_FIELD_KIND_I16.rawValue: return .int16(f.value.i16)
        case AMQP_FIELD_KIND_U16.rawValue: return .int32(Int32(f.value.u16))
        case AMQP_FIELD_KIND_I32.rawValue: return .int32(f.value.i32)
        case AMQP_FIELD_KIND_U32.rawValue: return .int64(Int64(f.value.u32))
        case AMQP_FIELD_KIND_I64.rawValue: return .int64(f.value.i64)
        case AMQP_FIELD_KIND_U64.rawValue: return .int64(Int64(truncatingIfNeeded: f.value.u64))
        case AMQP_FIELD_KIND_F32.rawValue: return .float(f.value.f32)
        case AMQP_FIELD_KIND_F64.rawValue: return .double(f.value.f64)
        case AMQP_FIELD_KIND_TIMESTAMP.rawValue: return .timestamp(f.value.u64)
        case AMQP_FIELD_KIND_TABLE.rawValue: return .table(table(f.value.table))
        case AMQP_FIELD_KIND_ARRAY.rawValue:
            let a = f.value.array
            guard a.num_entries > 0, let entries = a.entries else { return .array([]) }
            return .array((0..<Int(a.num_entries)).map { field(entries[$0]) })
        case AMQP_FIELD_KIND_DECIMAL.rawValue:
            let d = f.value.decimal
            return .double(Double(d.value) / pow(10, Double(d.decimals)))
        default: return .void
        }
    }

    static func properties(_ c: amqp_basic_properties_t) -> AMQPProperties {
        var p = AMQPProperties()
        let flags = c._flags
        func has(_ flag: Int32) -> Bool { flags & UInt32(flag) != 0 }
        if has(AMQP_BASIC_CONTENT_TYPE_FLAG) { p.contentType = string(c.content_type) }
        if has(AMQP_BASIC_CONTENT_ENCODING_FLAG) { p.contentEncoding = string(c.content_encoding) }
        if has(AMQP_BASIC_HEADERS_FLAG) { p.headers = table(c.headers) }
        if has(AMQP_BASIC_DELIVERY_MODE_FLAG) { p.deliveryMode = .init(rawValue: c.delivery_mode) }
        if has(AMQP_BASIC_PRIORITY_FLAG) { p.priority = c.priority }
        if has(AMQP_BASIC_CORRELATION_ID_FLAG) { p.correlationID = string(c.correlation_id) }
        if has(AMQP_BASIC_REPLY_TO_FLAG) { p.replyTo = string(c.reply_to) }
        if has(AMQP_BASIC_EXPIRATION_FLAG) { p.expiration = string(c.expiration) }
        if has(AMQP_BASIC_MESSAGE_ID_FLAG) { p.messageID = string(c.message_id) }
        if has(AMQP_BASIC_TIMESTAMP_FLAG) { p.timestamp = c.timestamp }
        if has(AMQP_BASIC_TYPE_FLAG) { p.type = string(c.type) }
        if has(AMQP_BASIC_USER_ID_FLAG) { p.userID = string(c.user_id) }
        if has(AMQP_BASIC_APP_ID_FLAG) { p.appID = string(c.app_id) }
        if has(AMQP_BASIC_CLUSTER_ID_FLAG) { p.clusterID = string(c.cluster_id) }
        return p
    }
}
