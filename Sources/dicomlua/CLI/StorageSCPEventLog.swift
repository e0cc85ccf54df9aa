import DICOMServices
import Logging

/// The storage SCP's events as swift-log lines of `dicomlua storescp` (docs/cli.md "Logging"), each with the
/// association's id, peer and AE titles in its metadata, so that `--log-format json` lines of one association
/// can be picked out. The service's own log files (storscp1.log/storscp2.log) are written apart from this.
enum StorageSCPEventLog {
    static let logger = Logger(label: "dicomlua.storescp")

    /// - Parameter format: with `text`, an `.error` event is not logged again (storescp prints it as
    ///   `dicomlua storescp: message` already); with `json` it is, so that the JSON lines tell everything.
    static func log(_ event: StorageSCPEvent, format: LoggingOptions.Format) {
        switch event {
        case .started(let aeTitle, let port, let directory):
            logger.info("listening", metadata: ["aet": "\(aeTitle)", "port": "\(port)", "directory": "\(directory)"])
        case .associationAccepted(let info):
            logger.info("association accepted", metadata: metadata(info))
        case .associationRefused(let info):
            logger.notice("association refused by the on_association hook", metadata: metadata(info))
        case .instanceStored(let file, let info):
            var data = metadata(info)
            data["sop_instance_uid"] = "\(file.sopInstanceUID)"
            data["path"] = "\(file.path)"
            data["bytes"] = "\(file.bytes)"
            logger.info("stored", metadata: data)
        case .storeFailed(let uid, let status, let message, let info):
            var data = metadata(info)
            data["sop_instance_uid"] = "\(uid)"
            data["status"] = "\(String(status, radix: 16, uppercase: true))"
            logger.error("\(message)", metadata: data)
        case .associationEnded(let info, let files, let failure):
            var data = metadata(info)
            data["files"] = "\(files.count)"
            if let failure {
                logger.warning("association aborted: \(failure)", metadata: data)
            } else {
                logger.info("association released", metadata: data)
            }
        case .error(let message):
            if format == .json { logger.error("\(message)") }
        case .stopped:
            logger.info("stopped")
        }
    }

    private static func metadata(_ info: StorageAssociationInfo) -> Logger.Metadata {
        [
            "association": "\(info.id)", "peer": "\(info.peer)", "calling": "\(info.callingAETitle)",
            "called": "\(info.calledAETitle)",
        ]
    }
}
