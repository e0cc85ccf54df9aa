import DICOMCore
import DICOMNetwork
import Foundation
import NIOCore

/// What `StorageSCU.send` did: IDL's `Send` result (the number of files sent successfully).
public struct StorageSCUOutcome: Sendable {
    /// Files answered with a success or warning status.
    public var sent: Int
    /// Nil unless the network or the association failed (the files after the failure were not sent).
    public var message: String?
    /// True when the callback cancelled.
    public var cancelled: Bool
}

/// `IDLffDicomExStorScu::Send` (docs/idl-reference.md §6): C-STORE (PS3.4 Annex B) of Part 10 files to the
/// `STORAGE_SCP` AE on one association, calling AE title from `StorScuServiceAE`.
///
/// Presentation contexts come from the files: per SOP class one context with Explicit and Implicit VR Little
/// Endian (the file's own syntax first when it is one of them), plus one context per other transfer syntax
/// found (compressed, big endian, deflated). A file whose own syntax was accepted is streamed from disk as
/// is (`FileRegionDataSetSource`); otherwise a file in a non-encapsulated syntax is decoded and re-encoded
/// in the accepted one; an encapsulated (compressed) file without its own context is not sent.
public enum StorageSCU {
    /// Limit on the presentation contexts of one association (PS3.8 §9.3.2.2: odd IDs 1–255).
    public static let maximumContexts = 128

    /// Sends `files` in order. `onFile` is called once per file (sent or not); `.cancel` stops before the next.
    /// - Throws: only misuse (`ConfigurationError("send", …)`: STORAGE_SCP unset or unknown, no files).
    public static func send(
        files: [String], storageAE: String?, configuration: ConfigurationDocument,
        onFile: OperationEventHandler? = nil
    ) async throws -> StorageSCUOutcome {
        let remote = try SCUConnection.remote(
            named: storageAE, property: "STORAGE_SCP", method: "send", configuration: configuration)
        let started = Date()
        let headers: [Result<SendFileHeader, Error>] = files.map { path in
            Result { try SendFileHeader.read(path: path) }
        }
        let contexts = proposedContexts(headers.compactMap { try? $0.get() })
        guard contexts.count <= maximumContexts else {
            return StorageSCUOutcome(
                sent: 0,
                message: "send: the files need \(contexts.count) presentation contexts, at most \(maximumContexts)",
                cancelled: false)
        }
        var association: DICOMAssociation?
        if !contexts.isEmpty {
            do {
                association = try await SCUConnection.connect(
                    calling: configuration.storageSCU, remote: remote,
                    contexts: contexts, configuration: configuration)
            } catch {
                return StorageSCUOutcome(
                    sent: 0, message: "send: \(SCUConnection.describe(error, remote: remote))", cancelled: false)
            }
        }
        var sent = 0
        for (index, path) in files.enumerated() {
            let lines: [String]
            var status: DIMSEStatus?
            switch headers[index] {
            case .failure(let error):
                lines = StatusLines.notSent(file: path, number: index + 1, total: files.count, reason: "\(error)")
            case .success(let header):
                guard let association else { preconditionFailure("an association exists when a header was read") }
                do {
                    if let response = try await store(header, path: path, on: association) {
                        status = response
                        if response.category == .success || response.category == .warning { sent += 1 }
                        lines = StatusLines.sent(
                            file: path, number: index + 1, total: files.count, status: response,
                            sopInstanceUID: header.sopInstanceUID)
                    } else {
                        lines = StatusLines.notSent(
                            file: path, number: index + 1, total: files.count,
                            reason: "\(remote.name) accepted no presentation context for SOP class "
                                + "\(header.sopClassUID) in transfer syntax \(header.transferSyntaxUID)")
                    }
                } catch let error as AssociationError {
                    await association.abort()
                    return StorageSCUOutcome(
                        sent: sent, message: "send: \(SCUConnection.describe(error, remote: remote))", cancelled: false)
                } catch {
                    lines = StatusLines.notSent(file: path, number: index + 1, total: files.count, reason: "\(error)")
                }
            }
            if let onFile {
                let decision = await onFile(
                    OperationEvent(
                        operation: "send", statusLines: lines, status: status,
                        elapsed: Date().timeIntervalSince(started), file: path))
                if decision == .cancel {
                    try? await association?.release()
                    return StorageSCUOutcome(sent: sent, message: nil, cancelled: true)
                }
            }
        }
        try? await association?.release()
        return StorageSCUOutcome(sent: sent, message: nil, cancelled: false)
    }

    /// The contexts for the files' (SOP class, transfer syntax) pairs, in first-seen order.
    static func proposedContexts(_ headers: [SendFileHeader]) -> [ProposedPresentationContext] {
        var contexts: [ProposedPresentationContext] = []
        var seen = Set<String>()
        let native = TransferSyntaxUID.uncompressed
        for header in headers {
            let ts = header.transferSyntaxUID
            if !seen.contains(header.sopClassUID) {
                seen.insert(header.sopClassUID)
                let syntaxes = native.contains(ts) ? [ts] + native.filter { $0 != ts } : native
                contexts.append(
                    ProposedPresentationContext(abstractSyntax: header.sopClassUID, transferSyntaxes: syntaxes))
            }
            let key = header.sopClassUID + "|" + ts
            if !native.contains(ts) && !seen.contains(key) {
                seen.insert(key)
                contexts.append(ProposedPresentationContext(abstractSyntax: header.sopClassUID, transferSyntaxes: [ts]))
            }
        }
        return contexts
    }

    /// Stores one file; nil when no accepted context can carry it.
    private static func store(
        _ header: SendFileHeader, path: String, on association: DICOMAssociation
    ) async throws -> DIMSEStatus? {
        if association.negotiated.context(
            forAbstractSyntax: header.sopClassUID, transferSyntax: header.transferSyntaxUID) != nil
        {
            let source = FileRegionDataSetSource(path: path, offset: header.dataSetOffset, length: header.dataSetLength)
            return try await association.store(
                sopClassUID: header.sopClassUID, sopInstanceUID: header.sopInstanceUID,
                dataSet: source, transferSyntax: header.transferSyntaxUID
            ).status
        }
        let own = TransferSyntax.from(uid: header.transferSyntaxUID)
        guard !own.isEncapsulated,
            let context = association.negotiated.context(forAbstractSyntax: header.sopClassUID)
        else { return nil }
        let file = try DICOMFile.read(path: path)
        let bytes = try DataSetWriter.encode(
            file.dataSet, transferSyntax: TransferSyntax.from(uid: context.transferSyntax))
        return try await association.store(
            sopClassUID: header.sopClassUID, sopInstanceUID: header.sopInstanceUID,
            dataSet: ByteBuffer(bytes: bytes), transferSyntax: context.transferSyntax
        ).status
    }
}
