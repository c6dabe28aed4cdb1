import Foundation
import PaddockCore
import PluginABI

/// The plugin's thread-safety claim, honoured under concurrent calls. A plugin that claims
/// PADDOCK_PLUGIN_THREAD_SAFE is called from several threads at once and must neither crash nor
/// answer a read-only query differently than when asked alone; for one that does not claim it,
/// the kit confirms the host let only one call in at a time.
enum ThreadSafetyCheck {
    static let threads = 8
    static let rounds = 25

    struct Query: @unchecked Sendable {
        var label: String
        var function: paddock_op_fn
        var request: [UInt8]
        /// Read-only queries must answer the same every time; other operations only must not crash.
        var comparesAnswers: Bool
    }

    static func run(_ instance: PluginInstance) -> ConformanceCheckResult {
        let name = ConformanceCheckName.threadSafety
        let plugin = instance.plugin
        let queries = self.queries(plugin)
        guard !queries.isEmpty else { return .pass(name) }
        var baseline: [ComparableAnswer] = []
        for query in queries {
            guard let answer = RawOperation.call(instance, query.function, .bytes(query.request)) else {
                return .fail(name, "the instance was already destroyed")
            }
            baseline.append(answer.comparable)
        }
        let tracker = InFlightTracker()
        let answers = hammer(instance, queries, tracker: tracker)
        for (index, query) in queries.enumerated() {
            let all = answers[index]
            if let problem = all.lazy.compactMap({ ErrorDocumentRule.problem(with: $0) }).first {
                return .fail(name, "under concurrent calls \(query.label) \(problem)")
            }
            guard query.comparesAnswers else { continue }
            let differing = all.filter { $0.comparable != baseline[index] }
            guard let example = differing.first else { continue }
            let alone = RawAnswer(status: baseline[index].status, bytes: baseline[index].bytes)
            let observed = "\(differing.count) of \(all.count) answers to \(query.label) from \(threads) threads at once differed from its answer alone (e.g. \(example.summary) instead of \(alone.summary))"
            if plugin.threadSafe {
                return .fail(name, "claims PADDOCK_PLUGIN_THREAD_SAFE but is not: \(observed); guard shared state with a lock, or drop the flag and \"thread_safe\" so the host serializes calls")
            }
            return .fail(name, "\(observed) although the host serialized the calls: the answer depends on more than the request")
        }
        if !plugin.threadSafe, tracker.most > 1 {
            return .fail(name, "the host let \(tracker.most) calls into a plugin that is not thread-safe at once (a host bug; report it)")
        }
        return .pass(name)
    }

    /// The read-only queries of the plugin's kinds; when it has none, every operation it has.
    static func queries(_ plugin: NegotiatedPlugin) -> [Query] {
        func make(_ kind: PluginKind, _ operation: String, compares: Bool) -> Query? {
            guard let function = plugin.functions[kind]?[operation] else { return nil }
            let request = ConformanceRequests.valid(kind, operation, plugin: plugin.name)
            return Query(label: "\(kind.rawValue).\(operation)", function: function,
                         request: Array(request.serialized().utf8), comparesAnswers: compares)
        }
        let reads = plugin.kinds.flatMap { kind in
            ConformanceRequests.queries(kind).compactMap { make(kind, $0, compares: true) }
        }
        if !reads.isEmpty { return reads }
        return plugin.kinds.flatMap { kind in kind.operations.compactMap { make(kind, $0, compares: false) } }
    }

    /// Every thread calls every query `rounds` times, all starting together. Answers per query.
    static func hammer(_ instance: PluginInstance, _ queries: [Query], tracker: InFlightTracker) -> [[RawAnswer]] {
        let collected = AnswerCollector(queries: queries.count)
        let start = DispatchSemaphore(value: 0)
        let group = DispatchGroup()
        for _ in 0..<threads {
            group.enter()
            let thread = Thread {
                start.wait()
                var mine = Array(repeating: [RawAnswer](), count: queries.count)
                for _ in 0..<rounds {
                    for (index, query) in queries.enumerated() {
                        if let answer = RawOperation.call(instance, query.function, .bytes(query.request), tracker: tracker) {
                            mine[index].append(answer)
                        }
                    }
                }
                collected.add(mine)
                group.leave()
            }
            thread.start()
        }
        for _ in 0..<threads { start.signal() }
        group.wait()
        return collected.answers
    }
}

final class AnswerCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [[RawAnswer]]

    init(queries: Int) { storage = Array(repeating: [], count: queries) }

    func add(_ answers: [[RawAnswer]]) {
        lock.lock()
        for index in answers.indices { storage[index] += answers[index] }
        lock.unlock()
    }

    var answers: [[RawAnswer]] {
        lock.lock()
        defer { lock.unlock() }
        return storage
    }
}
