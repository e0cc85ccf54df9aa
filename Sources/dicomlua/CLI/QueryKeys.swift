import DICOMCore
import DICOMServices
import Foundation

/// `-P`/`-S`/`-O` and `-k KEY=VALUE` as DCMTK's `findscu`/`movescu`/`getscu` take them (docs/cli.md "find").
enum QueryModelFlag: String, CaseIterable {
    case patientRoot = "P"
    case studyRoot = "S"
    case patientStudyOnly = "O"

    var model: IDLQueryModel {
        switch self {
        case .patientRoot: return .patientRoot
        case .studyRoot: return .studyRoot
        case .patientStudyOnly: return .patientStudyOnly
        }
    }
}

/// The keys of a query or retrieve: `KEY=VALUE` or `KEY` (asked, empty), KEY a dictionary keyword
/// (`PatientName`) or a tag (`0010,0010`, `(0010,0010)`).
struct QueryKeyList {
    /// The keys in command-line order (QueryRetrieveLevel excluded), with their values.
    var keys: [(tag: Tag, value: String)] = []
    /// QueryRetrieveLevel (0008,0052) when given.
    var level: IDLQueryLevel?

    static let levelTag = Tag(0x0008, 0x0052)

    /// - Throws: `CLIUsageError` naming the key that is not a keyword or tag, or a level that is not one of
    ///   PATIENT, STUDY, SERIES, IMAGE.
    init(_ arguments: [String]) throws {
        for argument in arguments {
            let parts = argument.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0]).trimmingCharacters(in: .whitespaces)
            let value = parts.count > 1 ? String(parts[1]) : ""
            guard let tag = DataSet.tag(named: name) ?? DataDictionary.entry(forKeywordIgnoringCase: name)?.tag else {
                throw CLIUsageError(
                    "-k \(argument): '\(name)' is neither a DICOM keyword (PatientName) nor a tag (0010,0010)")
            }
            if tag == Self.levelTag {
                guard let found = IDLQueryLevel.allCases.first(where: { $0.keyword == value.uppercased() }) else {
                    throw CLIUsageError(
                        "-k \(argument): QueryRetrieveLevel must be PATIENT, STUDY, SERIES or IMAGE, got '\(value)'")
                }
                level = found
                continue
            }
            keys.append((tag, value))
        }
    }

    /// The C-FIND identifier: the level, the keys given, and the level's usual return keys (those of IDL's
    /// table, docs/idl-reference.md §2.5) that were not given, asked empty.
    func findIdentifier(model: IDLQueryModel, level: IDLQueryLevel) throws -> DataSet {
        var identifier = DataSet()
        try identifier.set(Self.levelTag, string: level.keyword)
        for (tag, value) in keys {
            do { try identifier.set(tag, string: value) } catch {
                throw CLIUsageError("-k \(DataDictionary.keyword(for: tag) ?? "\(tag)"): \(error)")
            }
        }
        let usual =
            QueryFieldTable.fields(model: model, level: level).compactMap(\.tag)
            + QueryFieldTable.returnKeys(level: level)
        for tag in usual where !identifier.contains(tag) { try identifier.set(tag, string: "") }
        return identifier
    }

    /// The column order of the output: the keys given, in their order, then the level's usual keys with
    /// the names and dates first and the UIDs last (easier to read in a table).
    func columnOrder(model: IDLQueryModel, level: IDLQueryLevel) -> [Tag] {
        var order = keys.map(\.tag)
        let usual =
            QueryFieldTable.fields(model: model, level: level).compactMap(\.tag)
            + QueryFieldTable.returnKeys(level: level)
        let uids: Set<Tag> = [Tag(0x0020, 0x000D), Tag(0x0020, 0x000E), Tag(0x0008, 0x0018)]
        for tag in usual.filter({ !uids.contains($0) }) + usual.filter({ uids.contains($0) })
        where !order.contains(tag) {
            order.append(tag)
        }
        return order
    }

    /// The unique keys of a C-MOVE/C-GET (PS3.4 C.4.2.1.4): PatientID, StudyInstanceUID, SeriesInstanceUID,
    /// SOPInstanceUID; any other key is a usage error.
    func retrieveKeys() throws -> RetrieveKeys {
        var retrieve = RetrieveKeys()
        for (tag, value) in keys {
            switch tag {
            case Tag(0x0010, 0x0020): retrieve.patientID = value
            case Tag(0x0020, 0x000D): retrieve.studyInstanceUID = value
            case Tag(0x0020, 0x000E): retrieve.seriesInstanceUID = value
            case Tag(0x0008, 0x0018): retrieve.sopInstanceUID = value
            default:
                throw CLIUsageError(
                    "-k \(DataDictionary.keyword(for: tag) ?? "\(tag)"): a retrieve takes only PatientID, "
                        + "StudyInstanceUID, SeriesInstanceUID, SOPInstanceUID and QueryRetrieveLevel")
            }
        }
        return retrieve
    }

    /// The deepest level whose unique key was given (the default level of a retrieve).
    var impliedRetrieveLevel: IDLQueryLevel {
        let tags = Set(keys.map(\.tag))
        if tags.contains(Tag(0x0008, 0x0018)) { return .image }
        if tags.contains(Tag(0x0020, 0x000E)) { return .series }
        if tags.contains(Tag(0x0020, 0x000D)) { return .study }
        return .patient
    }
}
