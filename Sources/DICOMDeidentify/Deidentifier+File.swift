import DICOMCore
import Foundation

/// A de-identified file: where it went and the UIDs a record needs.
public struct DeidentifiedFile: Sendable {
    public let path: String
    public let originalSOPInstanceUID: String
    public let sopInstanceUID: String
    public let sopClassUID: String
    public let pseudonym: String
    /// Burned In Annotation YES: written to the quarantine folder.
    public let quarantined: Bool
    /// The new Study and Series Instance UIDs (nil when absent).
    public var studyInstanceUID: String? = nil
    public var seriesInstanceUID: String? = nil
    public var transferSyntaxUID: String = ""
    /// Size of the written file.
    public var bytes: Int = 0
}

extension Deidentifier {
    /// The quarantine folder for `outputDirectory` when none is given: its name plus `.quarantine`, beside it
    /// (docs/lua-api.md "De-identification").
    public static func defaultQuarantine(for outputDirectory: String) -> String {
        var trimmed = outputDirectory
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
        return trimmed + ".quarantine"
    }

    /// De-identifies the file at `input` into `outputDirectory/<new SOP Instance UID>.dcm` (or into the
    /// quarantine folder when its pixels carry burned-in annotation and `allowBurnedIn` is off).
    ///
    /// Streaming (DICOMCore's `DataSetFileScanner`): only element headers are walked; the header elements are read, de-identified and
    /// re-encoded in the file's own transfer syntax, and bulk values (Pixel Data, large binary values the
    /// profile keeps) are copied byte for byte in 1 MiB pieces, so memory does not grow with the instance.
    /// The file is written to a hidden temporary file in the target folder and renamed into place (after an
    /// `fsync` of the file when `fsync` is true).
    public func deidentifyFile(
        at input: String, outputDirectory: String, quarantineDirectory: String? = nil, fsync: Bool = false
    ) throws -> DeidentifiedFile {
        let instance = try StreamedInstance(path: input) { tag in
            let a = self.action(for: tag)
            return a == .keep || a == .remove
        }
        let file = instance.file
        var merged: DataSet
        var bulk: [StreamedInstance.Bulk] = []
        if file.transferSyntax.isDeflated {
            merged = try DICOMFile.read(path: input).dataSet
        } else {
            merged = DataSet(byteOrder: file.transferSyntax.byteOrder)
            var characterSet = SpecificCharacterSet.defaultRepertoire
            for segment in instance.segments {
                let bytes = try file.bytes(at: segment.lowerBound, count: segment.count)
                let part = try DataSetReader.read(
                    bytes, transferSyntax: file.transferSyntax, characterSet: characterSet)
                for element in part { merged.insert(element) }
                characterSet = merged.specificCharacterSet
            }
            merged.inheritedCharacterSet = .defaultRepertoire
            bulk = instance.bulk.filter { action(for: $0.tag) == .keep }
        }
        merged.removeAll { $0.group == 0x0002 }
        guard !(merged.string(.sopInstanceUID) ?? "").isEmpty else {
            throw NotDICOMError(path: input, reason: "not a stored instance: no SOP Instance UID (0008,0018)")
        }
        let result = try deidentify(merged, bulk: bulk.map(\.tag))
        guard !result.sopInstanceUID.isEmpty else {
            throw DeidentificationError("\(input) has no SOP Instance UID (0008,0018): it is not a stored instance")
        }
        let quarantined = result.burnedIn && !settings.allowBurnedIn
        let directory =
            quarantined ? (quarantineDirectory ?? Self.defaultQuarantine(for: outputDirectory)) : outputDirectory
        let target =
            (directory.isEmpty ? "./" : directory.hasSuffix("/") ? directory : directory + "/") + result.sopInstanceUID
            + ".dcm"
        let ts = file.transferSyntax
        let meta = FileMetaInformation(
            mediaStorageSOPClassUID: result.sopClassUID, mediaStorageSOPInstanceUID: result.sopInstanceUID,
            transferSyntaxUID: ts.uid)
        let writer: Part10StreamWriter
        do {
            writer = try Part10StreamWriter(inDirectory: directory, meta: meta, fsync: fsync)
        } catch let error as DICOMFileError where error.errno == ENOENT {
            // The folder is created when its first file is written (the quarantine only if a file goes there).
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            writer = try Part10StreamWriter(inDirectory: directory, meta: meta, fsync: fsync)
        }
        do {
            if ts.isDeflated {
                try writer.append(try DataSetWriter.encode(result.dataSet, transferSyntax: ts))
            } else {
                var pending = DataSet(byteOrder: result.dataSet.byteOrder)
                var next = 0
                func flush() throws {
                    if !pending.isEmpty { try writer.append(try DataSetWriter.encode(pending, transferSyntax: ts)) }
                    pending = DataSet(byteOrder: result.dataSet.byteOrder)
                }
                for element in result.dataSet {
                    while next < bulk.count && bulk[next].tag < element.tag {
                        try flush()
                        try file.copy(bulk[next].range, to: writer)
                        next += 1
                    }
                    pending.insert(element)
                }
                try flush()
                while next < bulk.count {
                    try file.copy(bulk[next].range, to: writer)
                    next += 1
                }
            }
            try writer.finish(renamingTo: target)
        } catch {
            writer.discard()
            throw error
        }
        var written = DeidentifiedFile(
            path: target, originalSOPInstanceUID: result.originalSOPInstanceUID, sopInstanceUID: result.sopInstanceUID,
            sopClassUID: result.sopClassUID, pseudonym: result.pseudonym, quarantined: quarantined)
        written.studyInstanceUID = result.dataSet.string(Tag(0x0020, 0x000D))
        written.seriesInstanceUID = result.dataSet.string(Tag(0x0020, 0x000E))
        written.transferSyntaxUID = ts.uid
        written.bytes = writer.headerLength + writer.dataSetLength
        return written
    }
}
