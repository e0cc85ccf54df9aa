import DICOMNetwork
import Foundation

/// The verdict rules of docs/lua-api.md "Retrieve reports, verification and retry", as a pure function of
/// what a retrieve knows at its end.
public enum RetrieveVerdictRules {
    /// What the inventory gave.
    public enum Inventory: Sendable, Equatable {
        /// No `verify`.
        case notAsked
        /// The inventory could not be made (why).
        case failed(String)
        /// The SOP Instance UIDs listed.
        case listed([String])
    }

    /// The verdict, its message, and the missing UIDs.
    ///
    /// - Parameters:
    ///   - arrived: the SOP Instance UIDs that arrived; nil when the destination cannot be observed.
    ///   - requests: every request, the first one first.
    public static func judge(
        cancelled: Bool, inventory: Inventory, arrived: Set<String>?, requests: [RetrieveRequestRecord]
    ) -> (verdict: RetrieveVerdict, message: String?, missing: [String]) {
        let expected: [String]
        if case .listed(let uids) = inventory { expected = uids } else { expected = [] }
        let missing = arrived.map { got in expected.filter { !got.contains($0) } } ?? []
        if cancelled {
            let had = arrived.map { " after \($0.count) instance(s) arrived" } ?? ""
            return (.cancelled, "the retrieve was cancelled\(had)", missing)
        }
        let nothingArrived = arrived?.isEmpty ?? true
        if nothingArrived, let failure = requests.last?.failure {
            return (.failed, failure, missing)
        }
        let first = requests.first?.lastCounts ?? SubOperationCounts()
        let reported = Int(first.completed ?? 0) + Int(first.failed ?? 0) + Int(first.warning ?? 0)
        switch inventory {
        case .notAsked:
            // Empty only on the remote's explicit word (counters of zero) and when nothing was seen arriving.
            if requests.allSatisfy({ $0.failure == nil }), first.completed != nil, reported == 0,
                (first.remaining ?? 0) == 0, arrived?.isEmpty ?? true
            {
                return (.empty, "the archive reported no sub-operation: nothing matched", missing)
            }
            return (.unverified, "not verified (no verify): judged by the archive's word alone: \(word(requests))", [])
        case .failed(let why):
            return (.unverified, "not verified: the inventory failed: \(why)", [])
        case .listed(let uids):
            if reported > uids.count {
                return (
                    .unverified,
                    "not verified: the inventory looks cut short: it listed \(uids.count) instance(s) but the archive reported \(reported) sub-operation(s)",
                    []
                )
            }
            guard let arrived else {
                return (.unverified, "not verified: the destination cannot be observed from this process", [])
            }
            if uids.isEmpty { return (.empty, "the inventory is empty: nothing matched the keys", []) }
            if missing.isEmpty { return (.complete, nil, []) }
            if uids.contains(where: arrived.contains) {
                return (
                    .partial, "\(missing.count) of \(uids.count) instance(s) missing (\(word(requests)))", missing
                )
            }
            return (.failed, "none of the \(uids.count) instance(s) arrived (\(word(requests)))", missing)
        }
    }

    /// The archive's last word: its final status and counters, or the failure.
    static func word(_ requests: [RetrieveRequestRecord]) -> String {
        guard let last = requests.last else { return "no request was sent" }
        if let failure = last.failure { return failure }
        guard let final = last.final else { return "no final response" }
        let counts = last.lastCounts
        func n(_ v: UInt16?) -> String { v.map(String.init) ?? "-" }
        return
            "status 0x\(String(format: "%04X", final.status.code)), completed \(n(counts.completed)), failed \(n(counts.failed)), warning \(n(counts.warning))"
    }
}
