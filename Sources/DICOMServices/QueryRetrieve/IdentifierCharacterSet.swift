import DICOMCore

/// The Specific Character Set of C-FIND identifiers (PS3.4 C.4.1.1.3.1 and C.4.1.2.3.1; docs/lua-api.md
/// "Character sets"), for the codec that encodes requests and decodes responses.
public enum IdentifierCharacterSet {
    /// The request as it is sent: (0008,0005) is always present (a return key when the keys are ASCII: some
    /// archives return it only when asked), and non-ASCII keys are coded in `queryCharacterSet` when set,
    /// else in the smallest standard set that holds them (ISO_IR 100, else ISO_IR 192).
    /// - Throws: `TextEncodingError` when a key cannot be coded in `queryCharacterSet`.
    public static func request(_ identifier: DataSet, queryCharacterSet: String?) throws -> DataSet {
        let texts = identifier.characterSetText
        var target: SpecificCharacterSet
        if let queryCharacterSet, !queryCharacterSet.isEmpty {
            target = SpecificCharacterSet(termsValue: Array(queryCharacterSet.utf8))
        } else if texts.allSatisfy({ $0.utf8.allSatisfy { $0 < 0x80 } }) {
            target = .defaultRepertoire
        } else if texts.allSatisfy({ SpecificCharacterSet.latin1.canEncode($0) }) {
            target = .latin1
        } else {
            target = .utf8
        }
        var out = try identifier.transcoded(to: target)
        if out[Tag.specificCharacterSet] == nil { out.set(Tag.specificCharacterSet, bytes: [], vr: .CS) }
        return out
    }

    /// A response identifier ready to read: without a (0008,0005) of its own it is read in the request's
    /// character set (an archive that answers in the set it was asked in without declaring it).
    public static func response(_ identifier: DataSet, request: DataSet) -> DataSet {
        guard identifier.specificCharacterSet.isDefaultRepertoire, !request.specificCharacterSet.isDefaultRepertoire,
            identifier.string(Tag.specificCharacterSet)?.isEmpty ?? true
        else { return identifier }
        var out = identifier
        out.inheritedCharacterSet = request.specificCharacterSet
        return out
    }
}
