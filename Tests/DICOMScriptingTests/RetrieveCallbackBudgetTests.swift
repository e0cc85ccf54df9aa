import DICOMNetwork
import DICOMScripting
import DICOMServices
import Foundation
import LuaBridge
import TestSupport
import XCTest

/// docs/lua-api.md "Hooks under load": a retrieve callback that runs longer than `HookTimeLimit` is stopped,
/// which cancels its move (C-CANCEL-RQ) as any callback error does, and the error is raised by `retrieve`.
extension RetrieveHeartbeatTests {
    func testALoopingCallbackIsStoppedByHookTimeLimitAndCancelsTheMove() async throws {
        let pending = Pending()
        let move = IDLQueryModel.studyRoot.moveSOPClassUID
        let policy = AcceptancePolicy(supportedAbstractSyntaxes: [move: TransferSyntaxUID.uncompressed])
        let server = try await DICOMServer.start(configuration: ServerConfiguration(policy: policy)) { association in
            try? await association.serve(other: { message, dimse, association in
                switch dimse {
                case .cMoveRQ(let request):
                    pending.lock.withLock { pending.request = (request, message.contextID) }
                    return true  // stay silent: the callback runs on the 3 s heartbeat
                case .cCancelRQ:
                    let outstanding: (CMoveRQ, UInt8)? = pending.lock.withLock {
                        pending.cancels += 1
                        return pending.request
                    }
                    if let (request, context) = outstanding {
                        try await association.send(
                            CMoveRSP(respondingTo: request, status: .cancel, subOperations: SubOperationCounts()),
                            contextID: context)
                    }
                    return true
                default:
                    return false
                }
            })
        }
        let folder = try makeTemporaryDirectory("lua-callback-budget")
        setenv("DICOMLUA_CONFIG", folder.appendingPathComponent("user.json").path, 1)
        setenv("DICOMLUA_SYSTEM_CONFIG", folder.appendingPathComponent("system.json").path, 1)
        let configuration = try Configuration(scope: .user)
        try configuration.setApplicationEntity(
            name: "silent", aeTitle: "SILENT", hostname: "127.0.0.1", port: server.port,
            serviceList: .querySCP, serviceType: .querySCP)
        try configuration.setApplicationEntity(
            name: "dest", aeTitle: "DESTAE", hostname: "127.0.0.1", port: 11113,
            serviceList: .storageSCP, serviceType: .storageSCP)
        try configuration.setValue("0.5", forKey: "HookTimeLimit")
        try configuration.commit()

        let results = try await Task.detached {
            let state = LuaState()
            try ScriptEnvironment.install(in: state, runLoop: ScriptRunLoop())
            return try state.run(
                """
                local q = query.new()
                q:set_property{query_scp = 'silent', storage_scp = 'dest', query_level = 1, query_model = 1}
                q.callback_function = function() while true do end end
                return pcall(q.retrieve, q, {study_instance_uid = '1.2.3'})
                """
            ).map(\.description)
        }.value
        XCTAssertEqual(results.first, "false")
        XCTAssertTrue(
            results.dropFirst().first?.contains("the retrieve callback exceeded HookTimeLimit (0.5 s)") == true,
            "\(results)")
        XCTAssertEqual(pending.lock.withLock { pending.cancels }, 1)
        await server.shutdown(gracePeriod: .seconds(2))
    }
}
