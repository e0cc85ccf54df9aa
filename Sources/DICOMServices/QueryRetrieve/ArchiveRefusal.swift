import DICOMNetwork
import Foundation

/// Why an archive did not take a request at all, as a caller that paces itself (a campaign, docs/lua-api.md
/// "campaign — bulk retrieval that survives", politeness) must know it: a refusal is waited out or given up on,
/// never judged as missing instances. Read from the structured error or status, never from message text.
public enum ArchiveRefusal: Sendable, Equatable, CustomStringConvertible {
    /// No association could be opened: connection refused, timed out, or closed before A-ASSOCIATE-AC/RJ.
    case unreachable
    /// A-ASSOCIATE-RJ with result 2, rejected-transient (PS3.8 §9.3.4): busy, try later.
    case rejectedTransient(source: UInt8, reason: UInt8)
    /// A-ASSOCIATE-RJ with result 1, rejected-permanent (PS3.8 §9.3.4): e.g. our AE title is not known.
    case rejectedPermanent(source: UInt8, reason: UInt8)
    /// Refused: Out of Resources (0xA700–0xA7FF, PS3.4 C.4.1.1.4, C.4.2.1.5) before any sub-operation.
    case outOfResources(UInt16)
    /// 0xA801 Refused: Move Destination unknown (PS3.4 C.4.2.1.5): the archive does not know where to send.
    case moveDestinationUnknown

    /// Whether waiting may help (unreachable, rejected-transient, out of resources).
    public var isTransient: Bool {
        switch self {
        case .unreachable, .rejectedTransient, .outOfResources: return true
        case .rejectedPermanent, .moveDestinationUnknown: return false
        }
    }

    public var description: String {
        switch self {
        case .unreachable: return "the archive is unreachable"
        case .rejectedTransient(let source, let reason):
            return "the archive rejected the association for now (rejected-transient, 2/\(source)/\(reason))"
        case .rejectedPermanent(let source, let reason):
            return "the archive rejected the association (rejected-permanent, 1/\(source)/\(reason))"
        case .outOfResources(let code):
            return "the archive is out of resources (0x\(String(format: "%04X", code)))"
        case .moveDestinationUnknown: return "the archive does not know the move destination (0xA801)"
        }
    }

    /// The refusal an error of `DICOMAssociation.connect` means, nil for other errors.
    public init?(connecting error: Error) {
        guard let error = error as? AssociationError else { return nil }
        switch error {
        case .connectionRefused, .connectionTimedOut, .connectionFailed, .connectionClosed, .timedOut:
            self = .unreachable
        case .rejected(let rj):
            self =
                rj.result == 2
                ? .rejectedTransient(source: rj.source, reason: rj.reason)
                : .rejectedPermanent(source: rj.source, reason: rj.reason)
        case .aborted, .protocolError, .notEstablished, .invalidRequest:
            return nil
        }
    }

    /// The refusal a final status means when the archive did nothing (`completed` sub-operations 0 or none
    /// reported); nil for other statuses, or when something was done (then it is a partial retrieve).
    public init?(status: DIMSEStatus, completed: Int) {
        if status.code == 0xA801 {
            self = .moveDestinationUnknown
        } else if status.code & 0xFF00 == 0xA700, completed == 0 {
            self = .outOfResources(status.code)
        } else {
            return nil
        }
    }
}
