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
