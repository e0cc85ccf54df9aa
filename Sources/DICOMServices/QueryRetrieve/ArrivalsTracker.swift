import DICOMNetwork
import Foundation

/// Where a storage SCP of this process reports what it stored, and where retrieves find the instances that
/// are theirs (docs/lua-api.md "Retrieve reports, verification and retry", attribution).
///
/// A C-STORE sub-operation belongs to a retrieve when its Move Originator Message ID is the retrieve's
/// Message ID and its Move Originator AE Title is one of the retrieve's originator titles: our calling AE
/// title, or the archive's own (some archives, pynetdicom's Move SCP among them, put their own there
/// against PS3.7 §9.3.1.1). Message IDs are unique across the process (`MessageIDAllocator.processWide`),
/// so two retrieves running at once never claim each other's instances.
///
/// The SCP calls `record(_:)` before it sends the C-STORE-RSP (so an instance is here before the C-MOVE
/// response that counts it); `record` only appends under a lock. The owner of an SCP owns its tracker and
/// hands it to the retrieves that move into that SCP: there is no process-wide registry.
public final class ArrivalsTracker: @unchecked Sendable {
    private let lock = NSLock()
    /// Instances that carried a Move Originator Message ID, by that ID, in arrival order.
    private var byMessageID: [UInt16: [StoredInstance]] = [:]
    /// Message IDs in the order first seen, to forget the oldest beyond `capacity` instances.
    private var order: [UInt16] = []
    private var count = 0
    /// Instances kept for retrieves that have not claimed them yet (C-MOVEs of other processes).
    public let capacity: Int

    public init(capacity: Int = 100_000) { self.capacity = capacity }

    /// Records an instance the SCP stored. Instances without a Move Originator Message ID are not kept:
    /// no retrieve can claim them.
    public func record(_ instance: StoredInstance) {
        guard let id = instance.moveOriginatorMessageID else { return }
        lock.withLock {
            if byMessageID[id] == nil { order.append(id) }
            byMessageID[id, default: []].append(instance)
            count += 1
            while count > capacity, let oldest = order.first {
                order.removeFirst()
                count -= byMessageID.removeValue(forKey: oldest)?.count ?? 0
            }
        }
    }

    /// The instances of the sub-operations of request `messageID` whose Move Originator AE Title is one of
    /// `originators` (compared without padding), from position `from` of that request's arrivals on; and
    /// the position to continue from.
    func instances(
        messageID: UInt16, originators: Set<String>, from position: Int
    ) -> (instances: [StoredInstance], next: Int) {
        lock.withLock {
            let all = byMessageID[messageID] ?? []
            guard position < all.count else { return ([], all.count) }
            let new = all[position...].filter { originators.contains(Self.unpadded($0.moveOriginatorAETitle ?? "")) }
            return (Array(new), all.count)
        }
    }

    /// `title` without leading and trailing spaces: the title itself when it has none, as a title decoded
    /// from a command set (`CommandSet.string`) never has, so the common case costs no Foundation call.
    private static func unpadded(_ title: String) -> String {
        guard title.utf8.first == 0x20 || title.utf8.last == 0x20 else { return title }
        return title.trimmingCharacters(in: .whitespaces)
    }

    /// Forgets the instances of request `messageID` (its retrieve has ended).
    func forget(messageID: UInt16) {
        lock.withLock {
            if let removed = byMessageID.removeValue(forKey: messageID) {
                count -= removed.count
                order.removeAll { $0 == messageID }
            }
        }
    }
}
