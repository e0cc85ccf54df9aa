/// Hands out (0000,0110) Message IDs for requests on one association: 1, 2, …, 65535, 1, … (never 0, which
/// some peers treat as unset). PS3.7 §9.1.1.1.2 only requires uniqueness among outstanding operations.
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
}
