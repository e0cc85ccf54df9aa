import DICOMCore
import DICOMNetwork
import Foundation

/// What `QueryService.find` did: the identifiers of the matches as they arrived.
public struct FindOutcome: Sendable {
    /// The identifiers received (at most `MaxQueryResponses`), in arrival order.
    public var matches: [DataSet]
    /// Nil when the find completed or was cancelled; else why it failed, naming the remote.
    public var failure: String?
    /// True when a C-CANCEL-RQ ended the find.
    public var cancelled: Bool
    /// True when `MaxQueryResponses` cut the find short: one match more than the limit arrived, so more exist
    /// (docs/lua-api.md "Queries that say what they left out").
    public var truncated = false
    /// When the archive did not take the find at all: why (docs/retrieval-model.md "Refusals").
    public var refusal: ArchiveRefusal?
}

extension QueryService {
    /// An association from `QRScuServiceAE` to `remote` proposing `sopClass` (a C-FIND model) in the
    /// uncompressed transfer syntaxes: the query's, and the retrieve inventory's.
    static func connect(
        to remote: ApplicationEntity, sopClass: String, configuration: ConfigurationDocument
    ) async throws -> DICOMAssociation {
        try await SCUConnection.connect(
            calling: configuration.queryRetrieveSCU, remote: remote,
            contexts: [
                ProposedPresentationContext(abstractSyntax: sopClass, transferSyntaxes: TransferSyntaxUID.uncompressed)
            ],
            configuration: configuration)
    }

    /// One C-FIND (PS3.4 C.4.1) of any identifier, as `findscu -k` sends it: the loop that `query` uses
    /// for IDL's records, and the `dicomlua find` subcommand for its table, CSV and DICOM JSON.
    ///
    /// - Parameters:
    ///   - identifier: the request identifier, Query/Retrieve Level (0008,0052) included.
    ///   - queryAE: the AE name of the archive; the calling AE is `QRScuServiceAE`.
    ///   - onMatch: called once per pending response (its identifier and status); `.cancel` sends C-CANCEL-RQ.
    /// The identifier goes out in the smallest character set that holds its keys (or `QueryCharacterSet`), with
    /// (0008,0005) as a return key; matches are decoded in their own (0008,0005), else in the request's.
    /// - Throws: only misuse (`ConfigurationError("query", …)`: the AE name unset or unknown, a key that
    ///   `QueryCharacterSet` cannot hold).
    public static func find(
        identifier request: DataSet, model: IDLQueryModel, queryAE: String?, configuration: ConfigurationDocument,
        onMatch: ((DataSet, DIMSEStatus) async -> OperationDecision)? = nil
    ) async throws -> FindOutcome {
        let remote = try SCUConnection.remote(
            named: queryAE, property: "QUERY_SCP", method: "query", configuration: configuration)
        let identifier: DataSet
        do {
            identifier = try IdentifierCharacterSet.request(request, queryCharacterSet: configuration.queryCharacterSet)
        } catch let error as TextEncodingError {
            throw ConfigurationError("query", "a query key \(error) (QueryCharacterSet)")
        }
        let sopClass = model.findSOPClassUID
        let limit = configuration.maxQueryResponses > 0 ? configuration.maxQueryResponses : Int.max
        let association: DICOMAssociation
        do {
            association = try await connect(to: remote, sopClass: sopClass, configuration: configuration)
        } catch {
            return FindOutcome(
                matches: [], failure: "query: \(SCUConnection.describe(error, remote: remote))", cancelled: false,
                refusal: ArchiveRefusal(connecting: error))
        }
        var matches: [DataSet] = []
        var cancelled = false
        var truncated = false
        var finalStatus: DIMSEStatus?
        do {
            let context = try association.presentationContext(for: sopClass)
            let responses = try await association.find(
                sopClassUID: sopClass,
                identifier: try IdentifierCoding.encode(identifier, transferSyntax: context.transferSyntax),
                transferSyntax: context.transferSyntax)
            for try await response in responses {
                let status = response.response.status
                guard status.isPending else {
                    finalStatus = status
                    continue
                }
                guard !cancelled else { continue }  // matches already in flight when we cancelled
                if matches.count >= limit {
                    // One match more than MaxQueryResponses: the find is cut short, and we know it.
                    truncated = true
                    cancelled = true
                    try await responses.cancel()
                    continue
                }
                let match = IdentifierCharacterSet.response(
                    try IdentifierCoding.decode(response.identifier, transferSyntax: response.transferSyntax),
                    request: identifier)
                matches.append(match)
                var decision = OperationDecision.proceed
                if let onMatch { decision = await onMatch(match, status) }
                if decision == .cancel {
                    cancelled = true
                    try await responses.cancel()
                }
            }
        } catch {
            await association.abort()
            return FindOutcome(
                matches: matches, failure: "query: \(SCUConnection.describe(error, remote: remote))",
                cancelled: cancelled, truncated: truncated)
        }
        try? await association.release()
        if let finalStatus, finalStatus.category == .failure {
            return FindOutcome(
                matches: matches, failure: "query: \(remote.name) answered \(finalStatus.description(for: .find))",
                cancelled: cancelled, truncated: truncated,
                refusal: ArchiveRefusal(status: finalStatus, completed: matches.count))
        }
        return FindOutcome(matches: matches, failure: nil, cancelled: cancelled, truncated: truncated)
    }
}
