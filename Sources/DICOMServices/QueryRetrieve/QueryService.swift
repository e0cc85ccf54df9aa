import DICOMCore
import DICOMNetwork
import Foundation

/// What `QueryService.query` did.
public struct QueryOutcome: Sendable {
    /// The matches received (at most `MaxQueryResponses`), in arrival order.
    public var results: [QueryResult]
    /// Nil when the query completed or was cancelled (by the callback or the `MaxQueryResponses` limit);
    /// else why it failed (network, association, or a failure status), naming the remote.
    public var failure: String?
    /// True when a C-CANCEL-RQ ended the find.
    public var cancelled: Bool
    /// True when `MaxQueryResponses` cut the query short: more matches were coming (docs/lua-api.md
    /// "Queries that say what they left out").
    public var truncated = false
    /// What the caller should tell the user: properties the level does not send, a truncation.
    public var warnings: [String] = []
    /// When the archive did not take the query at all: why (docs/retrieval-model.md "Refusals").
    public var refusal: ArchiveRefusal?

    public init(
        results: [QueryResult], failure: String?, cancelled: Bool, truncated: Bool = false, warnings: [String] = [],
        refusal: ArchiveRefusal? = nil
    ) {
        self.results = results
        self.failure = failure
        self.cancelled = cancelled
        self.truncated = truncated
        self.warnings = warnings
        self.refusal = refusal
    }
}

/// `IDLffDicomExQuery::Query` (docs/idl-reference.md §2.6): one C-FIND (PS3.4 C.4.1) with IDL's identifier.
public enum QueryService {
    /// Runs the query.
    ///
    /// - Parameters:
    ///   - queryAE: the `QUERY_SCP` AE name; the calling AE is `QRScuServiceAE`.
    ///   - onMatch: called once per match; `.cancel` sends C-CANCEL-RQ and ends the query with the matches so far.
    /// - Throws: only misuse (`ConfigurationError("query", …)`: QUERY_SCP unset or unknown, impossible level).
    public static func query(
        _ parameters: QueryParameters, queryAE: String?, configuration: ConfigurationDocument,
        onMatch: OperationEventHandler? = nil
    ) async throws -> QueryOutcome {
        try parameters.checkModelAndLevel(method: "query")
        let level = parameters.effectiveLevel.level
        let start = Date()
        let warnings = parameters.unsentPropertyWarnings
        let extraKeywords = parameters.extra.keys.sorted()
        var results: [QueryResult] = []
        let outcome = try await find(
            identifier: try parameters.findIdentifier(), model: parameters.model, queryAE: queryAE,
            configuration: configuration
        ) { identifier, status in
            let match = QueryResult(identifier: identifier, model: parameters.model, level: level, extra: extraKeywords)
            results.append(match)
            guard let onMatch else { return .proceed }
            return await onMatch(
                OperationEvent(
                    operation: "query",
                    statusLines: StatusLines.match(match, number: results.count, status: status),
                    status: status, elapsed: Date().timeIntervalSince(start), match: match))
        }
        var all = warnings
        if outcome.truncated, outcome.failure == nil {
            all.append(
                "query: MaxQueryResponses (\(configuration.maxQueryResponses)) cut the query short: more matches exist "
                    + "than the \(results.count) returned")
        }
        return QueryOutcome(
            results: results, failure: outcome.failure, cancelled: outcome.cancelled, truncated: outcome.truncated,
            warnings: outcome.failure == nil ? all : warnings, refusal: outcome.refusal)
    }

    /// `QueryModelsSupported` (§2.4): proposes the nine FIND/GET/MOVE contexts to `QUERY_SCP` and returns
    /// the codes 0–8 of those accepted, ascending. Network failures are returned as `.failure(message)`.
    public static func queryModelsSupported(
        queryAE: String?, configuration: ConfigurationDocument
    ) async throws
        -> Result<[Int], QueryRetrieveFailure>
    {
        let remote = try SCUConnection.remote(
            named: queryAE, property: "QUERY_SCP", method: "query_models_supported",
            configuration: configuration)
        let contexts = QueryModelCode.all.map {
            ProposedPresentationContext(
                abstractSyntax: $0.sopClassUID, transferSyntaxes: TransferSyntaxUID.uncompressed)
        }
        let association: DICOMAssociation
        do {
            association = try await SCUConnection.connect(
                calling: configuration.queryRetrieveSCU, remote: remote,
                contexts: contexts, configuration: configuration)
        } catch AssociationError.invalidRequest {
            return .success([])  // associated, but none of the nine accepted
        } catch {
            return .failure(
                QueryRetrieveFailure("query_models_supported: \(SCUConnection.describe(error, remote: remote))"))
        }
        let accepted = Set(association.negotiated.acceptedContexts.values.map(\.abstractSyntax))
        try? await association.release()
        return .success(QueryModelCode.all.filter { accepted.contains($0.sopClassUID) }.map(\.code))
    }
}

/// A failure of the network or of the remote node (returned to scripts, never raised).
public struct QueryRetrieveFailure: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
