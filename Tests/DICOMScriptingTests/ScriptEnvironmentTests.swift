import DICOMScripting
import Foundation
import LuaBridge
import XCTest

final class ScriptEnvironmentTests: XCTestCase {
    func testDicomVersionIsTheOneVersionString() throws {
        let state = LuaState()
        try ScriptEnvironment.install(in: state, runLoop: ScriptRunLoop())
        XCTAssertEqual(try state.run("return dicom.version").first?.stringValue, DICOMLuaVersion.string)
    }

    /// Jobs posted by another thread (an SCP hook) run on the script thread while the script sleeps.
    func testSleepRunsPostedJobs() throws {
        let state = LuaState()
        let runLoop = ScriptRunLoop()
        try ScriptEnvironment.install(in: state, runLoop: runLoop)
        final class Unchecked: @unchecked Sendable {
            let function: LuaFunctionRef
            init(_ function: LuaFunctionRef) { self.function = function }
        }
        state.register(global: "on_event") { arguments in
            let hook = Unchecked(try arguments.function(0, "on_event"))
            Thread.detachNewThread {
                for i in 1...3 { runLoop.post { _ = try? hook.function.call(.integer(Int64(i))) } }
                runLoop.post { _ = try? hook.function.call("done") }
            }
            return []
        }
        let results = try state.run(
            """
            local seen = {}
            on_event(function(x) seen[#seen + 1] = tostring(x) end)
            for _ = 1, 1200 do  -- bounded: at most a minute
              if seen[#seen] == 'done' then break end
              dicom.sleep(0.05)
            end
            return table.concat(seen, ',')
            """)
        XCTAssertEqual(results.first?.stringValue, "1,2,3,done")
    }

    func testSleepRejectsNonsense() throws {
        let state = LuaState()
        try ScriptEnvironment.install(in: state, runLoop: ScriptRunLoop())
        for bad in ["-1", "'soon'", "0/0", "1e9"] {
            XCTAssertThrowsError(try state.run("dicom.sleep(\(bad))", name: "=s")) { error in
                XCTAssertTrue("\(error)".contains("sleep: expected a number of seconds"), "\(bad): \(error)")
            }
        }
    }
}
