/// A DICOM file (PS3.10 §7.1): preamble, "DICM", File Meta Information (group 0002, always Explicit VR
/// Little Endian) and the data set in the meta's transfer syntax.
///
/// Files without preamble are read as DCMTK reads them: a file starting with a group 0002 element is a meta
/// group without preamble; otherwise the whole file is a data set whose encoding is sniffed (explicit VR
/// when bytes 4–5 are a VR, big endian when the first group reads smaller that way) and defaults to
/// Implicit VR Little Endian.
public struct DICOMFile: Sendable, Equatable {
    /// How the file was laid out.
    public enum Layout: Sendable, Equatable {
        /// 128-byte preamble, "DICM", meta group, data set.
        case part10
        /// A meta group without preamble, then the data set.
        case metaWithoutPreamble
        /// A bare data set (no preamble, no meta).
        case dataSetOnly
    }

    /// Group 0002 as read (or as it will be written, (0002,0000) recomputed).
    public var meta: DataSet
    public var dataSet: DataSet
    public var transferSyntax: TransferSyntax
    public var layout: Layout

    /// A file for `dataSet`, with meta built from its SOP Class/Instance UIDs (0008,0016)/(0008,0018).
    public init(
        dataSet: DataSet, transferSyntax: TransferSyntax = .explicitVRLittleEndian,
        sourceApplicationEntityTitle: String? = nil
    ) {
        self.dataSet = dataSet
        self.transferSyntax = transferSyntax
        self.layout = .part10
        self.meta =
            FileMetaInformation(
                mediaStorageSOPClassUID: dataSet.string(.sopClassUID) ?? "",
                mediaStorageSOPInstanceUID: dataSet.string(.sopInstanceUID) ?? "",
                transferSyntaxUID: transferSyntax.uid,
                sourceApplicationEntityTitle: sourceApplicationEntityTitle
            ).dataSet
    }

    public init(meta: DataSet, dataSet: DataSet, transferSyntax: TransferSyntax, layout: Layout) {
        self.meta = meta
        self.dataSet = dataSet
        self.transferSyntax = transferSyntax
        self.layout = layout
    }

    // MARK: - Reading

    /// Reads and decodes the file at `path`.
    public static func read(path: String) throws -> DICOMFile {
        try decode(FileIO.readAll(path))
    }

    /// Decodes a whole file held in memory. Error offsets are offsets in `bytes` (for a deflated data set:
    /// offsets in its inflated form).
    public static func decode(_ bytes: [UInt8]) throws -> DICOMFile {
        try bytes.withUnsafeBytes { raw in
            if raw.count < 8 && !Part10Header.hasMetaGroup(raw) {
                throw DICOMParseError(
                    .invalidFile, at: 0,
                    "not a DICOM file: expected a 128-byte preamble and \"DICM\" or a data set, found \(raw.count) bytes"
                )
            }
            let located = try Part10Header.locate(raw, isWholeFile: true)
            let (meta, dataStart, transferSyntax, layout) = (
                located.header.meta, located.header.dataSetOffset, located.transferSyntax, located.layout
            )
            let dataSet: DataSet
            if transferSyntax.isDeflated {
                let inflated = try Deflate.inflate(bytes[dataStart...], limit: DataSetReader.maximumInflatedSize)
                dataSet = try DataSetReader.read(inflated, transferSyntax: .explicitVRLittleEndian)
            } else {
                var parser = ElementParser(raw, transferSyntax: transferSyntax)
                parser.position = dataStart
                dataSet = try parser.readDataSet(
                    end: raw.count, inUndefinedItem: false, depth: 0, inherited: .defaultRepertoire)
            }
            return DICOMFile(meta: meta, dataSet: dataSet, transferSyntax: transferSyntax, layout: layout)
        }
    }

    /// Guesses the encoding of a data set with no meta (as DCMTK does): explicit VR when bytes 4–5 are a
    /// VR; big endian when the first group number is smaller read that way; else Implicit VR Little Endian.
    static func sniffTransferSyntax(_ raw: UnsafeRawBufferPointer) -> TransferSyntax {
        guard raw.count >= 6 else { return .implicitVRLittleEndian }
        guard VR(byte0: raw[4], byte1: raw[5]) != nil else { return .implicitVRLittleEndian }
        let little = UInt16(raw[0]) | UInt16(raw[1]) << 8
        let big = UInt16(raw[0]) << 8 | UInt16(raw[1])
        return big < little ? .explicitVRBigEndian : .explicitVRLittleEndian
    }

    // MARK: - Writing

    /// The meta group to write: the current meta with (0002,0001), (0002,0010), implementation class UID
    /// and version name set to this implementation's, and the SOP class/instance UIDs filled in from the
    /// data set when missing.
    public func metaForWriting(transferSyntax ts: TransferSyntax) -> DataSet {
        var info = FileMetaInformation(
            mediaStorageSOPClassUID: meta.string(.mediaStorageSOPClassUID) ?? dataSet.string(.sopClassUID) ?? "",
            mediaStorageSOPInstanceUID: meta.string(.mediaStorageSOPInstanceUID) ?? dataSet.string(.sopInstanceUID)
                ?? "",
            transferSyntaxUID: ts.uid,
            sourceApplicationEntityTitle: meta.string(.sourceApplicationEntityTitle))
        if info.mediaStorageSOPClassUID.isEmpty { info.mediaStorageSOPClassUID = dataSet.string(.sopClassUID) ?? "" }
        if info.mediaStorageSOPInstanceUID.isEmpty {
            info.mediaStorageSOPInstanceUID = dataSet.string(.sopInstanceUID) ?? ""
        }
        var out = info.dataSet
        // Keep other meta elements (sending/receiving AE titles, private information).
        for element in meta where !out.contains(element.tag) { out.insert(element) }
        return out
    }

    /// The whole file: preamble, "DICM", meta, data set in `transferSyntax` (default: the file's own).
    public func encoded(transferSyntax ts: TransferSyntax? = nil) throws -> [UInt8] {
        let parts = try encodedParts(transferSyntax: ts ?? transferSyntax)
        return parts.reduce(into: []) { $0 += $1 }
    }

    private func encodedParts(transferSyntax ts: TransferSyntax) throws -> [[UInt8]] {
        var header = [UInt8](repeating: 0, count: 128)
        header += Array("DICM".utf8)
        header += try DataSetWriter.encode(metaForWriting(transferSyntax: ts), transferSyntax: .explicitVRLittleEndian)
        var body = dataSet
        body.removeAll { $0.group == 0x0002 }
        return [header, try DataSetWriter.encode(body, transferSyntax: ts)]
    }

    /// Writes the file atomically: to a temporary file in the same folder, then `rename` (PS3.10 layout,
    /// see `encoded`). `fsync` flushes the data before the rename.
    public func write(to path: String, transferSyntax ts: TransferSyntax? = nil, fsync: Bool = false) throws {
        try FileIO.writeAtomically(encodedParts(transferSyntax: ts ?? transferSyntax), to: path, fsync: fsync)
    }
}
