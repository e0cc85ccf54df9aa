import DICOMNetwork
import DICOMScripting
import DICOMServices
import Foundation
import LuaBridge
import TestSupport
import XCTest

/// A move SCP that sends no pending responses (our own server): the retrieve callback is still called
/// after 3 seconds of silence, and returning 0 from it sends a C-CANCEL-RQ that ends the move.
final class RetrieveHeartbeatTests: XCTestCase {
    /// The outstanding C-MOVE-RQ of the silent SCP.
    final class Pending: @unchecked Sendable {
        let lock = NSLock()
        var request: (CMoveRQ, UInt8)?
        var cancels = 0
    }

    func testCallbackRunsAfterThreeSecondsOfSilenceAndCancelEndsTheMove() async throws {
        let pending = Pending()
        let move = IDLQueryModel.studyRoot.moveSOPClassUID
        let policy = AcceptancePolicy(supportedAbstractSyntaxes: [move: TransferSyntaxUID.uncompressed])
        let server = try await DICOMServer.start(configuration: ServerConfiguration(policy: policy)) { association in
            try? await association.serve(other: { message, dimse, association in
                switch dimse {
                case .cMoveRQ(let request):
                    pending.lock.withLock { pending.request = (request, message.contextID) }
                    return true  // stay silent
                case .cCancelRQ:
                    let outstanding: (CMoveRQ, UInt8)? = pending.lock.withLock {
                        pending.cancels += 1
                        return pending.request
                    }
                    if let (request, context) = outstanding {
                        try await association.send(
                            CMoveRSP(
                                respondingTo: request, status: .cancel,
                                subOperations: SubOperationCounts(remaining: 0, completed: 1, failed: 0, warning: 0)),
                            contextID: context)
                    }
                    return true
                default:
                    return false
                }
            })
        }
        let folder = try makeTemporaryDirectory("lua-heartbeat")
        setenv("DICOMLUA_CONFIG", folder.appendingPathComponent("user.json").path, 1)
        setenv("DICOMLUA_SYSTEM_CONFIG", folder.appendingPathComponent("system.json").path, 1)
        let configuration = try Configuration(scope: .user)
        try configuration.setApplicationEntity(
            name: "silent", aeTitle: "SILENT", hostname: "127.0.0.1", port: server.port,
            serviceList: .querySCP, serviceType: .querySCP)
        try configuration.setApplicationEntity(
            name: "dest", aeTitle: "DESTAE", hostname: "127.0.0.1", port: 11113,
            serviceList: .storageSCP, serviceType: .storageSCP)
        try configuration.commit()

        let results = try await Task.detached {
            let state = LuaState()
            try ScriptEnvironment.install(in: state, runLoop: ScriptRunLoop())
            return try state.run(
                """
                local q = query.new()
                local seen
                q:set_property{query_scp = 'silent', storage_scp = 'dest', query_level = 1, query_model = 1}
                q.callback_function = function(status, data, info)
                  seen = status[1] .. '|' .. info.category .. '|' .. tostring(info.status)
                  return 0
                end
                local ok, count = q:retrieve{study_instance_uid = '1.2.3'}
                return ok, count, seen
                """
            ).map(\.description)
        }.value
        XCTAssertEqual(results, ["true", "1", "Retrieve (C-MOVE to DESTAE): waiting, no response for 3 s|pending|nil"])
        XCTAssertEqual(pending.lock.withLock { pending.cancels }, 1)
        await server.shutdown(gracePeriod: .seconds(2))
    }
}
