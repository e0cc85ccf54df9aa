import DICOMCore
import DICOMNetwork
import Foundation

/// The inventory of `verify` (docs/lua-api.md "Retrieve reports, verification and retry"): the SOP Instance
/// UIDs a retrieve's keys cover, by hierarchical C-FIND (PS3.4 C.4.1.3.1): the studies at STUDY level
/// (Patient level retrieves), each study's series at SERIES level, each series' instances at IMAGE level,
/// every request carrying the Study and Series Instance UIDs so that strict archives answer it. Study Root,
/// or Patient Root (with the Patient ID in every request) for Patient Root retrieves. Not limited by
/// `MaxQueryResponses`.
public enum RetrieveInventory {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        /// When the archive did not take the find at all: why (docs/retrieval-model.md "Refusals").
        public var refusal: ArchiveRefusal? = nil
    }

    /// The instances covered by `keys`.
    /// - Throws: `Failure` naming the request that failed (network, failure status, or a find that ended
    ///   without success, which would make the list look complete when it is not).
    public static func list(
        keys: RetrieveKeys, model: IDLQueryModel, level: IDLQueryLevel, remote: ApplicationEntity,
        configuration: ConfigurationDocument
    ) async throws -> [InventoryItem] {
        let patientRoot = model == .patientRoot
        let sopClass = patientRoot ? IDLQueryModel.patientRoot.findSOPClassUID : IDLQueryModel.studyRoot.findSOPClassUID
        let association: DICOMAssociation
        do {
            association = try await QueryService.connect(to: remote, sopClass: sopClass, configuration: configuration)
        } catch {
            throw Failure(
                description: SCUConnection.describe(error, remote: remote), refusal: ArchiveRefusal(connecting: error))
        }
        do {
            let items = try await walk(
                keys: keys, level: level, patientRoot: patientRoot, association: association, sopClass: sopClass)
            try? await association.release()
            return items
        } catch let failure as Failure {
            await association.abort()
            throw failure
        } catch {
            await association.abort()
            throw Failure(description: SCUConnection.describe(error, remote: remote))
        }
    }

    private static func walk(
        keys: RetrieveKeys, level: IDLQueryLevel, patientRoot: Bool, association: DICOMAssociation,
        sopClass: String
    ) async throws -> [InventoryItem] {
        func find(_ level: String, _ keys: [(Tag, String)]) async throws -> [DataSet] {
            try await findAll(association: association, sopClass: sopClass, level: level, keys: keys)
        }
        let patientTag = Tag(0x0010, 0x0020)
        let studyTag = Tag(0x0020, 0x000D)
        let seriesTag = Tag(0x0020, 0x000E)
        let sopTag = Tag(0x0008, 0x0018)
        func text(_ dataSet: DataSet, _ tag: Tag) -> String? {
            guard let value = dataSet.strings(tag)?.joined(separator: "\\") else { return nil }
            let trimmed = value.trimmingCharacters(in: .whitespaces.union(["\0"]))
            return trimmed.isEmpty ? nil : trimmed
        }
        // Studies: (patient ID, study UID).
        var studies: [(String?, String)] = []
        switch level {
        case .patient:
            let matches = try await find(
                "STUDY", [(patientTag, keys.patientID ?? "*"), (studyTag, "")])
            for match in matches {
                guard let study = text(match, studyTag) else { continue }
                studies.append((text(match, patientTag) ?? keys.patientID, study))
            }
        case .study, .series, .image:
            for study in split(keys.studyInstanceUID) { studies.append((keys.patientID, study)) }
        }
        var series: [(String?, String, String)] = []
        for (patient, study) in studies {
            if level == .series || level == .image {
                for uid in split(keys.seriesInstanceUID) { series.append((patient, study, uid)) }
                continue
            }
            var request: [(Tag, String)] = []
            if patientRoot { request.append((patientTag, patient ?? "")) }
            request += [(studyTag, study), (seriesTag, "")]
            for match in try await find("SERIES", request) {
                guard let uid = text(match, seriesTag) else { continue }
                series.append((patient, study, uid))
            }
        }
        var items: [InventoryItem] = []
        var seen: Set<String> = []
        for (patient, study, seriesUID) in series {
            var request: [(Tag, String)] = []
            if patientRoot { request.append((patientTag, patient ?? "")) }
            request += [(studyTag, study), (seriesTag, seriesUID)]
            request.append((sopTag, level == .image ? (keys.sopInstanceUID ?? "") : ""))
            for match in try await find("IMAGE", request) {
                guard let uid = text(match, sopTag), seen.insert(uid).inserted else { continue }
                items.append(
                    InventoryItem(
                        patientID: text(match, patientTag) ?? patient, studyInstanceUID: study,
                        seriesInstanceUID: seriesUID, sopInstanceUID: uid))
            }
        }
        return items
    }

    /// A UID or a backslash-separated UID list, as values.
    private static func split(_ value: String?) -> [String] {
        (value ?? "").split(separator: "\\").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Every match of one C-FIND; throws unless it ends with success.
    private static func findAll(
        association: DICOMAssociation, sopClass: String, level: String, keys: [(Tag, String)]
    ) async throws -> [DataSet] {
        var identifier = DataSet()
        try identifier.set(QueryReturnKey.queryRetrieveLevel, string: level)
        for (tag, value) in keys { try identifier.set(tag, string: value) }
        let context = try association.presentationContext(for: sopClass)
        let responses = try await association.find(
            sopClassUID: sopClass,
            identifier: try IdentifierCoding.encode(identifier, transferSyntax: context.transferSyntax),
            transferSyntax: context.transferSyntax)
        var matches: [DataSet] = []
        for try await response in responses {
            let status = response.response.status
            if status.isPending {
                matches.append(
                    try IdentifierCoding.decode(response.identifier, transferSyntax: response.transferSyntax))
                continue
            }
            guard status.category == .success else {
                throw Failure(
                    description:
                        "the \(level)-level C-FIND ended with \(status.description(for: .find)) after \(matches.count) match(es)",
                    refusal: ArchiveRefusal(status: status, completed: matches.count)
                )
            }
        }
        return matches
    }
}
