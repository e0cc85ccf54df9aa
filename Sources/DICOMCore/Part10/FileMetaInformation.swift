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

    public init(mediaStorageSOPClassUID: String, mediaStorageSOPInstanceUID: String, transferSyntaxUID: String,
                sourceApplicationEntityTitle: String? = nil,
                implementationClassUID: String = DICOMLuaImplementation.classUID,
                implementationVersionName: String = DICOMLuaImplementation.versionName) {
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
        ds.insert(DataElement(tag: .mediaStorageSOPClassUID, vr: .UI, bytes: Array(trimUIDPadding(mediaStorageSOPClassUID).utf8)))
        ds.insert(DataElement(tag: .mediaStorageSOPInstanceUID, vr: .UI, bytes: Array(trimUIDPadding(mediaStorageSOPInstanceUID).utf8)))
        ds.insert(DataElement(tag: .transferSyntaxUID, vr: .UI, bytes: Array(trimUIDPadding(transferSyntaxUID).utf8)))
        ds.insert(DataElement(tag: .implementationClassUID, vr: .UI, bytes: Array(implementationClassUID.utf8)))
        ds.insert(DataElement(tag: .implementationVersionName, vr: .SH, bytes: Array(implementationVersionName.utf8)))
        if let ae = sourceApplicationEntityTitle?.trimmingCharacters(in: [" ", "\0"]), !ae.isEmpty {
            ds.insert(DataElement(tag: .sourceApplicationEntityTitle, vr: .AE, bytes: Array(ae.utf8)))
        }
        return ds
    }

    /// The encoded group (Explicit VR Little Endian, PS3.10 §7.1), without preamble and "DICM".
    public func encoded() -> [UInt8] {
        // Cannot fail: no encapsulated values, no oversized values.
        (try? DataSetWriter.encode(dataSet, transferSyntax: .explicitVRLittleEndian)) ?? []
    }

    /// Preamble (128 × 00H), "DICM" and the encoded group: everything a Part 10 file holds before its data set.
    public func fileHeader() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 128)
        out += Array("DICM".utf8)
        out += encoded()
        return out
    }
}
