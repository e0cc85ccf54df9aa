/// Moving a data set's text from one Specific Character Set to another (PS3.5 §6.1): what a C-FIND
/// request needs before it is sent (docs/lua-api.md "Character sets").
extension DataSet {
    /// The decoded text of every value coded in the Specific Character Set (SH, LO, ST, LT, PN, UC, UT),
    /// in this data set and in the items that inherit its character set.
    public var characterSetText: [String] {
        var texts: [String] = []
        for element in elements {
            switch element.value {
            case .bytes(let bytes) where element.vr.usesSpecificCharacterSet:
                texts.append(decodeText(bytes, vr: element.vr))
            case .sequence(let items):
                for item in items where item[Tag.specificCharacterSet] == nil {
                    var inheriting = item
                    inheriting.inheritedCharacterSet = specificCharacterSet
                    texts += inheriting.characterSetText
                }
            case .bytes, .encapsulated:
                continue
            }
        }
        return texts
    }

    /// This data set with its text re-encoded in `characterSet` and (0008,0005) set to it (removed for the
    /// default repertoire); items without their own (0008,0005) follow. Values that are not text keep their
    /// bytes.
    /// - Throws: `TextEncodingError` for a character `characterSet` cannot represent.
    public func transcoded(to characterSet: SpecificCharacterSet) throws -> DataSet {
        var out = self
        out.inheritedCharacterSet = characterSet
        let source = specificCharacterSet
        for element in elements {
            switch element.value {
            case .bytes(let bytes) where element.vr.usesSpecificCharacterSet:
                do {
                    let text = source.decode(bytes, vr: element.vr)
                    out.set(element.tag, bytes: try characterSet.encode(text, vr: element.vr), vr: element.vr)
                } catch let error as TextEncodingError {
                    throw TextEncodingError(
                        character: error.character, characterSet: error.characterSet, tag: element.tag)
                }
            case .sequence(let items):
                let converted = try items.map { item -> DataSet in
                    guard item[Tag.specificCharacterSet] == nil else { return item }
                    var inheriting = item
                    inheriting.inheritedCharacterSet = source
                    var result = try inheriting.transcoded(to: characterSet)
                    result.remove(Tag.specificCharacterSet)
                    return result
                }
                out.set(element.tag, items: converted)
            case .bytes, .encapsulated:
                continue
            }
        }
        if let term = characterSet.term {
            out.set(Tag.specificCharacterSet, bytes: Array(term.utf8), vr: .CS)
        } else {
            out.remove(Tag.specificCharacterSet)
        }
        return out
    }
}
