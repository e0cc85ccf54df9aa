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
}

extension QueryService {
    /// One C-FIND (PS3.4 C.4.1) of any identifier, as `findscu -k` sends it: the loop that `query` uses
    /// for IDL's records, and the `dicomlua find` subcommand for its table, CSV and DICOM JSON.
    ///
    /// - Parameters:
    ///   - identifier: the request identifier, Query/Retrieve Level (0008,0052) included.
    ///   - queryAE: the AE name of the archive; the calling AE is `QRScuServiceAE`.
    ///   - onMatch: called once per pending response (its identifier and status); `.cancel` sends C-CANCEL-RQ.
    /// - Throws: only misuse (`ConfigurationError("query", …)`: the AE name unset or unknown).
    public static func find(
        identifier: DataSet, model: IDLQueryModel, queryAE: String?, configuration: ConfigurationDocument,
        onMatch: ((DataSet, DIMSEStatus) async -> OperationDecision)? = nil
    ) async throws -> FindOutcome {
        let remote = try SCUConnection.remote(
            named: queryAE, property: "QUERY_SCP", method: "query", configuration: configuration)
        let sopClass = model.findSOPClassUID
        let limit = configuration.maxQueryResponses > 0 ? configuration.maxQueryResponses : Int.max
        let association: DICOMAssociation
        do {
            association = try await SCUConnection.connect(
                calling: configuration.queryRetrieveSCU, remote: remote,
                contexts: [
                    ProposedPresentationContext(
                        abstractSyntax: sopClass, transferSyntaxes: TransferSyntaxUID.uncompressed)
                ],
                configuration: configuration)
        } catch {
            return FindOutcome(
                matches: [], failure: "query: \(SCUConnection.describe(error, remote: remote))", cancelled: false)
        }
        var matches: [DataSet] = []
        var cancelled = false
        var finalStatus: DIMSEStatus?
        do {
            let context = try association.presentationContext(for: sopClass)
            let responses = try await association.find(
                sopClassUID: sopClass,
                identifier: try SCUIdentifierCoding.encode(identifier, transferSyntaxUID: context.transferSyntax),
                transferSyntax: context.transferSyntax)
            for try await response in responses {
                let status = response.response.status
                guard status.isPending else {
                    finalStatus = status
                    continue
                }
                guard !cancelled else { continue }  // matches already in flight when we cancelled
                let match = try SCUIdentifierCoding.decode(
                    response.identifier, transferSyntaxUID: response.transferSyntax)
                matches.append(match)
                var decision = OperationDecision.proceed
                if let onMatch { decision = await onMatch(match, status) }
                if decision == .cancel || matches.count >= limit {
                    cancelled = true
                    try await responses.cancel()
                }
            }
        } catch {
            await association.abort()
            return FindOutcome(
                matches: matches, failure: "query: \(SCUConnection.describe(error, remote: remote))",
                cancelled: cancelled)
        }
        try? await association.release()
        if let finalStatus, finalStatus.category == .failure {
            return FindOutcome(
                matches: matches, failure: "query: \(remote.name) answered \(finalStatus.description(for: .find))",
                cancelled: cancelled)
        }
        return FindOutcome(matches: matches, failure: nil, cancelled: cancelled)
    }
}
