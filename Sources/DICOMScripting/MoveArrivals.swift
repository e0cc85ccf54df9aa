import DICOMServices
import Foundation

/// The files that an in-process storage SCP of this script stored for one C-MOVE (docs/lua-api.md, `info.files`):
/// C-STORE sub-operations whose Move Originator AE Title is our calling AE title and whose Move Originator
/// Message ID is the move's (PS3.7 §9.1.1.1, §9.3.1.1). A sub-operation without a Move Originator Message ID
/// (some SCPs leave it out) is attributed by the AE title alone; one without a Move Originator AE Title is
/// not attributed.
///
/// The SCP's observer runs on a NIO thread before the C-STORE-RSP is sent, so a file is here before the
/// pending C-MOVE response that counts it.
final class MoveArrivals: @unchecked Sendable {
    private let lock = NSLock()
    private var arrived: [StoredInstance] = []
    private let scp: InProcessStorageSCP
    private var token: Int?

    /// Observes the in-process SCP whose AE title is `destinationAETitle`; nil when none runs in this process.
    init?(destinationAETitle: String, originatorAETitle: String) {
        guard let scp = InProcessStorageSCP.running(aeTitle: destinationAETitle) else { return nil }
        self.scp = scp
        let originator = originatorAETitle.trimmingCharacters(in: .whitespaces)
        token = scp.addObserver { [weak self] file in
            guard let self, file.moveOriginatorAETitle?.trimmingCharacters(in: .whitespaces) == originator else {
                return
            }
            self.lock.withLock { self.arrived.append(file) }
        }
    }

    deinit { close() }

    /// Stops observing (idempotent).
    func close() {
        if let token { scp.removeObserver(token) }
        token = nil
    }

    /// The files of the move with `messageID` that arrived since the previous call (all attributed files
    /// when the message ID is not known yet).
    func take(messageID: UInt16?) -> [StoredInstance] {
        lock.withLock {
            // Files of another move (another message ID) are not this one's to report, now or later.
            let taken = arrived.filter {
                messageID == nil || $0.moveOriginatorMessageID == nil || $0.moveOriginatorMessageID == messageID
            }
            arrived.removeAll()
            return taken
        }
    }
}
