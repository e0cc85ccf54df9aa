import Foundation

/// Hands out (0000,0110) Message IDs: 1, 2, …, 65535, 1, … (never 0, which some peers treat as unset).
/// PS3.7 §9.1.1.1.2 only requires uniqueness among an association's outstanding operations.
public struct MessageIDAllocator: Sendable {
    private var next: UInt16

    /// Starts at `first` (0 is replaced by 1).
    public init(first: UInt16 = 1) { next = first == 0 ? 1 : first }

    /// The next Message ID.
    public mutating func allocate() -> UInt16 {
        let id = next
        next = next == UInt16.max ? 1 : next + 1
        return id
    }

    /// The next Message ID of this process: one counter for every association, so that the C-STORE
    /// sub-operations of two retrieves running at once (their Move Originator Message ID, PS3.7 §9.3.1.1)
    /// are never confused, even when both come from one calling AE title (docs/lua-api.md "Retrieve reports,
    /// verification and retry", attribution). It starts at a random value, so that two processes moving
    /// into one storage SCP from one AE title rarely use the same IDs at the same time.
    public static func processWide() -> UInt16 { ProcessMessageIDs.shared.allocate() }
}

/// The process's one Message ID counter.
private final class ProcessMessageIDs: @unchecked Sendable {
    static let shared = ProcessMessageIDs()
    private let lock = NSLock()
    private var allocator = MessageIDAllocator(first: UInt16.random(in: 1...UInt16.max))
    func allocate() -> UInt16 { lock.withLock { allocator.allocate() } }
}
