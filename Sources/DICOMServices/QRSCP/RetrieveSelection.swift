import DICOMCore
import DICOMNetwork

/// Which instances a C-MOVE or C-GET identifier designates (PS3.4 C.4.2.2.1, C.4.3.2.1): pure.
///
/// The identifier must name a level of the model and carry the unique key of that level (a single value or,
/// at STUDY/SERIES/IMAGE, a list of UIDs); otherwise failure 0xA900. Unique keys of the levels above are
/// optional (relational-style leniency); every key given at or above the level is matched as in C-FIND.
/// More than `QueryFailure.maximumMatches` instances: failure 0xA701 (the counters are US).
public enum RetrieveSelection {
    public static func instances(
        for identifier: DataSet, model: QueryRetrieveModel, in records: [InstanceRecord]
    )
        throws -> [InstanceRecord]
    {
        let level = try QueryEngine.queryLevel(of: identifier, model: model)
        let unique = QueryKeys.uniqueKey(of: level)
        guard let value = identifier.string(unique.tag), !AttributeMatcher.isUniversal(value) else {
            throw QueryFailure(
                .identifierDoesNotMatchSOPClass,
                "a retrieve at \(level.rawValue) level needs the unique key \(unique.tag) with a value, got none")
        }
        let keys = identifier.elements.compactMap { element -> (QueryKey, String)? in
            guard let key = QueryKeys.key(for: element.tag), !QueryKeys.computed.contains(key),
                QueryKeys.level(of: key, in: model) <= level
            else { return nil }
            return (key, identifier.string(element.tag) ?? "")
        }
        let selected = records.filter { record in
            keys.allSatisfy { key, text in AttributeMatcher.matches(key: text, value: record.value(key), vr: key.vr) }
        }
        guard selected.count <= QueryFailure.maximumMatches else {
            throw QueryFailure(
                .outOfResourcesNumberOfMatches,
                "\(selected.count) instances match; at most \(QueryFailure.maximumMatches) can be retrieved at once")
        }
        return selected
    }
}
