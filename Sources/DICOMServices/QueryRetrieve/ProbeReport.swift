/// What `ProbeService.probe` found out about an archive (docs/cli.md "probe"): one value that the
/// `dicomlua probe` subcommand prints and that a Lua binding can turn into a table.
public struct ProbeReport: Sendable, Equatable {
    /// The C-ECHO (PS3.4 Annex A): nil when it succeeded, else why not (the association or the status).
    public var echoFailure: String?
    /// From the peer's A-ASSOCIATE-AC (PS3.7 D.3.3.2-3): its Implementation Class UID and Version Name.
    public var implementationClassUID: String?
    public var implementationVersionName: String?
    /// The Maximum Length the peer receives (PS3.8 D.1), 0 for no limit; nil when no association was made.
    public var maximumPDULength: Int?

    /// One service (FIND, MOVE, GET) of one information model and whether its SOP class was accepted.
    public struct ModelSupport: Sendable, Equatable {
        public var service: String
        public var model: IDLQueryModel
        public var accepted: Bool
    }
    /// The nine Query/Retrieve SOP classes (PS3.4 C.6), in the order FIND, MOVE, GET × Patient Root,
    /// Study Root, Patient/Study Only; empty when the negotiation failed (see `negotiationFailure`).
    public var models: [ModelSupport] = []
    public var negotiationFailure: String?

    /// One C-FIND at one level of one model: how many matches (the query is cancelled after the first), or why
    /// it failed.
    public struct LevelAnswer: Sendable, Equatable {
        public var model: IDLQueryModel
        public var level: IDLQueryLevel
        public var matched: Bool
        public var failure: String?
    }
    public var levels: [LevelAnswer] = []

    /// Whether the first PATIENT-level match carried Specific Character Set (0008,0005) (PS3.4 C.4.1.1.3.2
    /// lets an archive leave it out when its answers are in the default repertoire); nil when no match.
    public var patientMatchHasSpecificCharacterSet: Bool?

    /// The C-MOVE test: can the archive send to us?
    public enum MoveTest: Sendable, Equatable {
        /// `--no-move`, or no C-MOVE model accepted.
        case skipped(String)
        /// No instance found to move (IMAGE-level query empty): proves nothing.
        case noInstance
        /// The instance arrived at our storage SCP.
        case received(aeTitle: String, port: Int)
        /// A failure status and no file: the archive does not know our AE title as a destination (0xA801),
        /// or refuses it (0xC000 from Orthanc for an unknown AE).
        case unknownDestination(aeTitle: String, status: String)
        /// The archive knows the destination but its sub-operations failed: it could not connect to the host
        /// and port it has for our AE title (or we refused).
        case notReached(aeTitle: String, port: Int, status: String)
        /// No file within the time limit: the archive cannot reach our host and port.
        case timedOut(aeTitle: String, port: Int, seconds: Double)
        /// Anything else (the archive's association failed, our listener could not start, …).
        case failed(String)
    }
    public var moveTest: MoveTest = .skipped("not tried")

    public init() {}
}

extension ProbeReport.MoveTest {
    /// A short name of the outcome (`received`, `unknown_destination`, …), for scripts and JSON.
    public var kind: String {
        switch self {
        case .skipped: return "skipped"
        case .noInstance: return "no_instance"
        case .received: return "received"
        case .unknownDestination: return "unknown_destination"
        case .notReached: return "not_reached"
        case .timedOut: return "timed_out"
        case .failed: return "failed"
        }
    }

    /// The outcome in words a PACS administrator acts on.
    public var explanation: String {
        switch self {
        case .skipped(let why): return "not tried (\(why))"
        case .noInstance: return "not tried (an IMAGE-level query found no instance to move)"
        case .received(let title, let port):
            return "ok: the archive sent an instance to \(title) on port \(port)"
        case .unknownDestination(let title, let status):
            return "refused (\(status)) and no file arrived: the archive does not know \(title) as a move "
                + "destination; add \(title) with this host's address and the port to its configuration"
        case .notReached(let title, let port, let status):
            return "no file arrived (\(status)): the archive knows \(title) but could not store to it; check the "
                + "host and port it has for \(title) (we listened on port \(port))"
        case .timedOut(let title, let port, let seconds):
            return "no file within \(Int(seconds)) s: the archive cannot reach this host on port \(port) as "
                + "\(title) (its address for \(title), a firewall, or NAT)"
        case .failed(let message): return "failed: \(message)"
        }
    }
}
