import Foundation

/// The fields of the File Meta Information group (PS3.10 §7.1, Table 7.1-1) that this implementation
/// writes: (0002,0001) version 00H 01H, media storage SOP class/instance, transfer syntax, implementation
/// class UID and version name, and the source AE title when known. (0002,0000) is computed on encoding.
public struct FileMetaInformation: Sendable, Equatable {
    public var mediaStorageSOPClassUID: String
    public var mediaStorageSOPInstanceUID: String
    public var transferSyntaxUID: String
    public var sourceApplicationEntityTitle: String?
    public var implementationClassUID: String
    public var implementationVersionName: String

    public init(
        mediaStorageSOPClassUID: String, mediaStorageSOPInstanceUID: String, transferSyntaxUID: String,
        sourceApplicationEntityTitle: String? = nil,
        implementationClassUID: String = DICOMLuaImplementation.classUID,
        implementationVersionName: String = DICOMLuaImplementation.versionName
    ) {
        self.mediaStorageSOPClassUID = mediaStorageSOPClassUID
        self.mediaStorageSOPInstanceUID = mediaStorageSOPInstanceUID
        self.transferSyntaxUID = transferSyntaxUID
        self.sourceApplicationEntityTitle = sourceApplicationEntityTitle
        self.implementationClassUID = implementationClassUID
        self.implementationVersionName = implementationVersionName
    }

    /// The group 0002 data set, (0002,0000) included (its value is recomputed when encoded).
    public var dataSet: DataSet {
        var ds = DataSet()
        ds.insert(DataElement(tag: .fileMetaInformationGroupLength, vr: .UL, bytes: [0, 0, 0, 0]))
        ds.insert(DataElement(tag: .fileMetaInformationVersion, vr: .OB, bytes: [0x00, 0x01]))
        ds.insert(
            DataElement(
                tag: .mediaStorageSOPClassUID, vr: .UI, bytes: Array(trimUIDPadding(mediaStorageSOPClassUID).utf8)))
        ds.insert(
            DataElement(
                tag: .mediaStorageSOPInstanceUID, vr: .UI, bytes: Array(trimUIDPadding(mediaStorageSOPInstanceUID).utf8)
            ))
        ds.insert(DataElement(tag: .transferSyntaxUID, vr: .UI, bytes: Array(trimUIDPadding(transferSyntaxUID).utf8)))
        ds.insert(DataElement(tag: .implementationClassUID, vr: .UI, bytes: Array(implementationClassUID.utf8)))
        ds.insert(DataElement(tag: .implementationVersionName, vr: .SH, bytes: Array(implementationVersionName.utf8)))
        if let ae = sourceApplicationEntityTitle.map(Self.trimmingSpacesAndNULs), !ae.isEmpty {
            ds.insert(DataElement(tag: .sourceApplicationEntityTitle, vr: .AE, bytes: Array(ae.utf8)))
        }
        return ds
    }

    /// The encoded group (Explicit VR Little Endian, PS3.10 §7.1), without preamble and "DICM".
    public func encoded() -> [UInt8] {
        Array(fileHeader().dropFirst(132))
    }

    /// Preamble (128 × 00H), "DICM" and the encoded group: everything a Part 10 file holds before its data set.
    ///
    /// Written directly (the storage SCP writes one per received instance; going through `DataSet` and
    /// `DataSetWriter` was 7 % of its time with 16 KiB instances); the bytes are those `DataSetWriter`
    /// produces for `dataSet` (values padded to even length: UI with 00H, SH/AE with a space, PS3.5 §6.2).
    public func fileHeader() -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(132 + 256)
        out.append(contentsOf: repeatElement(0, count: 128))
        out.append(contentsOf: [0x44, 0x49, 0x43, 0x4D])  // "DICM"
        // (0002,0000) UL, value patched below.
        Self.appendHeader(&out, element: 0x0000, vr: (0x55, 0x4C), length: 4)
        let groupLengthOffset = out.count
        out.append(contentsOf: [0, 0, 0, 0])
        // (0002,0001) OB 00H 01H: reserved bytes and a 4-byte length.
        out.append(contentsOf: [0x02, 0x00, 0x01, 0x00, 0x4F, 0x42, 0, 0, 2, 0, 0, 0, 0x00, 0x01])
        Self.appendText(&out, element: 0x0002, vr: (0x55, 0x49), trimUIDPadding(mediaStorageSOPClassUID), padding: 0)
        Self.appendText(&out, element: 0x0003, vr: (0x55, 0x49), trimUIDPadding(mediaStorageSOPInstanceUID), padding: 0)
        Self.appendText(&out, element: 0x0010, vr: (0x55, 0x49), trimUIDPadding(transferSyntaxUID), padding: 0)
        Self.appendText(&out, element: 0x0012, vr: (0x55, 0x49), implementationClassUID, padding: 0)
        Self.appendText(&out, element: 0x0013, vr: (0x53, 0x48), implementationVersionName, padding: 0x20)
        if let ae = sourceApplicationEntityTitle.map(Self.trimmingSpacesAndNULs), !ae.isEmpty {
            Self.appendText(&out, element: 0x0016, vr: (0x41, 0x45), ae, padding: 0x20)
        }
        let groupLength = UInt32(out.count - groupLengthOffset - 4)
        for index in 0..<4 { out[groupLengthOffset + index] = UInt8(truncatingIfNeeded: groupLength >> (8 * index)) }
        return out
    }

    /// `text` without leading and trailing spaces and NULs (an AE title as the network sent it). Works on
    /// the UTF-8 bytes: Foundation's `trimmingCharacters` was half of this header's cost.
    static func trimmingSpacesAndNULs(_ text: String) -> String {
        let bytes = text.utf8
        guard let first = bytes.firstIndex(where: { $0 != 0x20 && $0 != 0 }) else { return "" }
        let last = bytes.lastIndex(where: { $0 != 0x20 && $0 != 0 })!
        return String(decoding: bytes[first...last], as: UTF8.self)
    }

    /// Tag (0002,element), VR and a 2-byte length (PS3.5 §7.1.2, VRs with a 16-bit length).
    private static func appendHeader(_ out: inout [UInt8], element: UInt16, vr: (UInt8, UInt8), length: Int) {
        out.append(contentsOf: [
            0x02, 0x00, UInt8(element & 0xFF), UInt8(element >> 8), vr.0, vr.1,
            UInt8(length & 0xFF), UInt8((length >> 8) & 0xFF),
        ])
    }

    /// A value padded to even length; one longer than a 16-bit length can say (a hostile peer's UID) is cut.
    private static func appendText(
        _ out: inout [UInt8], element: UInt16, vr: (UInt8, UInt8), _ text: String, padding: UInt8
    ) {
        var text = text
        text.withUTF8 { utf8 in  // the bytes in place: a copy into an array of their own cost more than the rest
            let bytes = UnsafeBufferPointer(rebasing: utf8.prefix(0xFFFE))
            let padded = bytes.count + (bytes.count & 1)
            appendHeader(&out, element: element, vr: vr, length: padded)
            out.append(contentsOf: bytes)
            if padded > bytes.count { out.append(padding) }
        }
    }
}
