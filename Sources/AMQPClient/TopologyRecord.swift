/// What this connection declared, in order, so a reconnect can declare it again.
///
/// Server-named and exclusive queues vanish with the connection; after a reconnect they are declared
/// anew and may get new names, which ``rename(_:to:)`` carries into the bindings and consumers.
struct TopologyRecord {
    enum Entry {
        case exchange(
            name: String, type: AMQPExchangeType, durable: Bool, autoDelete: Bool, isInternal: Bool,
            arguments: AMQPTable)
        case queue(
            name: String, serverNamed: Bool, durable: Bool, exclusive: Bool, autoDelete: Bool,
            arguments: AMQPTable)
        case binding(queue: String, exchange: String, routingKey: String, arguments: AMQPTable)
    }

    private(set) var entries: [Entry] = []

    mutating func record(_ entry: Entry) {
        // A repeated declaration replaces the earlier one, so the record does not grow with re-declares.
        entries.removeAll { $0.sameTarget(as: entry) }
        entries.append(entry)
    }

    mutating func removeQueue(_ name: String) {
        entries.removeAll {
            switch $0 {
            case .queue(let n, _, _, _, _, _): n == name
            case .binding(let q, _, _, _): q == name
            case .exchange: false
            }
        }
    }

    mutating func removeExchange(_ name: String) {
        entries.removeAll {
            switch $0 {
            case .exchange(let n, _, _, _, _, _): n == name
            case .binding(_, let e, _, _): e == name
            case .queue: false
            }
        }
    }

    mutating func removeBinding(queue: String, exchange: String, routingKey: String) {
        entries.removeAll {
            if case .binding(queue, exchange, routingKey, _) = $0 { return true }
            return false
        }
    }

    mutating func rename(_ old: String, to new: String) {
        entries = entries.map {
            switch $0 {
            case .queue(old, let s, let d, let x, let a, let args):
                .queue(
                    name: new, serverNamed: s, durable: d,
                    exclusive: x, autoDelete: a, arguments: args)
            case .binding(old, let e, let r, let args):
                .binding(queue: new, exchange: e, routingKey: r, arguments: args)
            default: $0
            }
        }
    }
}

extension TopologyRecord.Entry {
    func sameTarget(as other: Self) -> Bool {
        switch (self, other) {
        case (.exchange(let a, _, _, _, _, _), .exchange(let b, _, _, _, _, _)): a == b
        case (.queue(let a, _, _, _, _, _), .queue(let b, _, _, _, _, _)): a == b
        case (.binding(let q1, let e1, let r1, _), .binding(let q2, let e2, let r2, _)):
            q1 == q2 && e1 == e2 && r1 == r2
        default: false
        }
    }
}
