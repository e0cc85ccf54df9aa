import Foundation
import TestSupport
import XCTest

/// docs/lua-api.md "Hooks under load", as a user meets it: slow hooks are never re-entered, an access
/// decision is never skipped or stalled by a backlog, and a stopping SCP names the files whose hooks did not
/// run. Peers: DCMTK's storescu.
extension StorageSCPCommandTests {
    /// The deepest nesting of `on_stored` calls and their number, as a hook file or script counts them.
    private static let countingOnStored = """
        local depth, deepest, calls = 0, 0, 0
        local function counting(f)
          depth = depth + 1
          if depth > deepest then deepest = depth end
          calls = calls + 1
          dicom.sleep(0.05)
          depth = depth - 1
        end
        """

    func testInProcessHooksThatSleepAreNeverReentered() throws {
        try writeSystemConfiguration(port: freeTCPPort())
        _ = try makeInstances(300)
        let script = """
            \(Self.countingOnStored)
            local scp = storage_scp.new{aet = 'INPROC', port = 0, dir = '\(path("inproc"))', host = '127.0.0.1'}
            local ended = 0
            scp:on_stored(counting)
            scp:on_association_end(function(a) ended = ended + #a.files; if ended >= 300 then scp:stop() end end)
            scp:start()
            os.execute(string.format('TCP_NODELAY=1 /usr/bin/storescu +sd -aet SENDER -aec INPROC 127.0.0.1 %d \(path("src")) >/dev/null 2>&1 &', scp.port))
            scp:serve()
            print('calls ' .. calls .. ' deepest ' .. deepest)
            """
        let result = try ChildProcess.run(dicomluaBinary, ["-e", script], environment: environment, timeout: 90)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "calls 300 deepest 1\n", result.stderr)
        XCTAssertFalse(result.stderr.contains("raised"), result.stderr)
        XCTAssertEqual(files(in: path("inproc")).count, 300)
    }

    func testStorescpHooksThatSleepAreNeverReentered() throws {
        try writeSystemConfiguration(port: freeTCPPort())
        _ = try makeInstances(100)
        let hooks = path("hooks.lua")
        try """
        \(Self.countingOnStored)
        on_stored = counting
        function on_association_end(a) print('hook end ' .. #a.files .. ' calls ' .. calls .. ' deepest ' .. deepest) end
        """.write(toFile: hooks, atomically: true, encoding: .utf8)
        let port = freeTCPPort()
        let scp = try ChildProcess(
            dicomluaBinary, ["storescp", "--port", "\(port)", "--dir", path("in"), "--hooks", hooks],
            environment: environment)
        XCTAssertTrue(waitForLine(scp, containing: "listening"), scp.stderr)
        let sent = try ChildProcess.run(
            dcmtk("storescu"),
            ["+sd", "-aet", "SENDER", "-aec", "DICOMLUA_STORE", "127.0.0.1", "\(port)", path("src")],
            timeout: 60)
        XCTAssertEqual(sent.status, 0, sent.stderr)
        XCTAssertTrue(waitForLine(scp, containing: "hook end 100 calls 100 deepest 1"), scp.stdout + scp.stderr)
        kill(scp.process.processIdentifier, SIGTERM)
        XCTAssertEqual(scp.wait(timeout: 40), 0, scp.stderr)
        XCTAssertFalse(scp.stderr.contains("raised"), scp.stderr)
    }

    /// With a backlog of slow `on_stored` calls: a refused AE is rejected before it can store anything and
    /// the refusal is logged; another sender is accepted within 1 s; SIGTERM ends the process within
    /// `HookDrainTimeout` (1 s here) plus a margin and names each file whose hook did not run.
    func testAccessDecisionsGoFirstAndStoppingNamesUnrunHooks() throws {
        try writeSystemConfiguration(port: freeTCPPort(), extra: #", "HookDrainTimeout": 1"#)
        let backlog = try makeInstances(40)
        let intruder = try makeInstances(3, folder: "bad")
        let late = try makeInstances(1, folder: "late")
        let hooks = path("hooks.lua")
        try """
        function on_association(a) return a.calling_aet ~= 'BADGUY' end
        function on_stored(f) dicom.sleep(0.2) end
        """.write(toFile: hooks, atomically: true, encoding: .utf8)
        let port = freeTCPPort()
        let scp = try ChildProcess(
            dicomluaBinary,
            ["storescp", "--port", "\(port)", "--dir", path("in"), "--hooks", hooks, "--log-dir", path("log")],
            environment: environment)
        XCTAssertTrue(waitForLine(scp, containing: "listening"), scp.stderr)
        XCTAssertEqual(try storescu(port: port, files: backlog).status, 0)  // 8 s of hooks queued

        let refused = try storescu(port: port, files: intruder, calling: "BADGUY")
        XCTAssertNotEqual(refused.status, 0, "on_association refuses BADGUY")
        XCTAssertTrue(refused.stdout.contains("Rejected") || refused.stderr.contains("Rejected"), refused.stderr)
        let started = Date()
        XCTAssertEqual(try storescu(port: port, files: late, calling: "LATE").status, 0)
        XCTAssertLessThan(Date().timeIntervalSince(started), 1.0, "a second association waits for no backlog")

        let stopping = Date()
        kill(scp.process.processIdentifier, SIGTERM)
        XCTAssertEqual(scp.wait(timeout: 20), 0, scp.stderr)
        XCTAssertLessThan(Date().timeIntervalSince(stopping), 1 + 5, "HookDrainTimeout bounds the drain")

        XCTAssertEqual(files(in: path("in")).count, 41, "a refused peer stores nothing")
        let unrun = scp.stderr.split(separator: "\n").filter { $0.contains("on_stored did not run for") }
        XCTAssertGreaterThan(unrun.count, 10, scp.stderr)
        let log = try String(contentsOfFile: path("log/storscp1.log"), encoding: .utf8)
        XCTAssertTrue(log.contains("refused") && log.contains("BADGUY"), log)
        XCTAssertTrue(log.contains("on_stored did not run for " + path("in")), log)
        XCTAssertTrue(log.hasSuffix("storage SCP stopped\n"), "the stop line comes last: \(log)")
    }

    /// The service with a backlog of slow hooks: `stop` answers once the process is gone (within
    /// `HookDrainTimeout` plus a margin), `status` then agrees, and the log's stop line is its last line.
    func testServiceStopWaitsForTheProcessAndStatusAgrees() throws {
        let port = freeTCPPort()
        let hooks = path("hooks.lua")
        try "function on_stored(f) dicom.sleep(0.2) end".write(toFile: hooks, atomically: true, encoding: .utf8)
        try writeSystemConfiguration(port: port, extra: #", "HookDrainTimeout": 1, "HooksFile": "\#(hooks)""#)
        XCTAssertEqual(try lua("print(storage_scp.start())").stdout, "start request issued\n")
        XCTAssertTrue(waitForPort(port))
        XCTAssertEqual(try storescu(port: port, files: try makeInstances(30)).status, 0)
        let started = Date()
        let stopped = try lua("print(storage_scp.stop()); print(storage_scp.status()); print(storage_scp.start())")
        XCTAssertEqual(
            stopped.stdout, "stop request issued\nservice not running\nstart request issued\n", stopped.stderr)
        XCTAssertLessThan(Date().timeIntervalSince(started), 15)
        XCTAssertEqual(
            try lua("print(storage_scp.stop()); print(storage_scp.status())").stdout,
            "stop request issued\nservice not running\n")
        let log = try String(contentsOfFile: path("log/storscp1.log"), encoding: .utf8)
        XCTAssertTrue(log.contains("on_stored did not run for"), log)
        XCTAssertTrue(log.hasSuffix("storage SCP stopped\n"), log)
    }

    /// 400 instances from 8 senders into hooks of 10 ms with `HookQueueLimit` 20: every hook runs, and the
    /// senders are slowed down: they finish only once all but the last 20 (the backlog) + 8 × 33 (what each
    /// association reads before its flow control stops reading: 32 messages, and the one being stored) ran.
    func testAFullBacklogSlowsTheSendersAndEveryHookRuns() throws {
        try writeSystemConfiguration(port: freeTCPPort(), extra: #", "HookQueueLimit": 20"#)
        let sources = try makeInstances(400)
        let hooks = path("hooks.lua")
        try """
        io.stdout:setvbuf('line')
        local calls = 0
        function on_stored(f) calls = calls + 1 print('hook stored ' .. calls) dicom.sleep(0.01) end
        """.write(toFile: hooks, atomically: true, encoding: .utf8)
        let port = freeTCPPort()
        let scp = try ChildProcess(
            dicomluaBinary, ["storescp", "--port", "\(port)", "--dir", path("in"), "--hooks", hooks],
            environment: environment)
        XCTAssertTrue(waitForLine(scp, containing: "listening"), scp.stderr)
        let senders = try (0..<8).map { i in
            try ChildProcess(
                dcmtk("storescu"),
                ["-aet", "SENDER\(i)", "-aec", "DICOMLUA_STORE", "127.0.0.1", "\(port)"]
                    + sources.enumerated().filter { $0.offset % 8 == i }.map(\.element))
        }
        for sender in senders { XCTAssertEqual(sender.wait(timeout: 60), 0, sender.stderr) }
        let ranWhenSent = scp.stdout.split(separator: "\n").filter { $0.hasPrefix("hook stored") }.count
        XCTAssertGreaterThanOrEqual(ranWhenSent, 400 - 20 - 8 * 33, "the senders waited for the hooks")
        XCTAssertTrue(waitForLine(scp, containing: "hook stored 400\n"), scp.stderr)
        kill(scp.process.processIdentifier, SIGTERM)
        XCTAssertEqual(scp.wait(timeout: 40), 0, scp.stderr)
        XCTAssertEqual(files(in: path("in")).count, 400)
        XCTAssertFalse(scp.stdout.contains("hook stored 401"))
    }

    /// A looping hook is stopped by `HookTimeLimit` and a hook that grows a table by `LuaMemoryLimit`, each
    /// with an error naming the hook and the limit; the files stay stored and the next file's hook runs.
    func testBudgetsStopALoopingAndAGrowingHook() throws {
        try writeSystemConfiguration(
            port: freeTCPPort(), extra: #", "HookTimeLimit": 0.5, "LuaMemoryLimit": 16"#)
        let sources = try makeInstances(3)
        let hooks = path("hooks.lua")
        try """
        io.stdout:setvbuf('line')
        function on_stored(f)
          if f.patient_id == 'PAT0' then while true do end end
          if f.patient_id == 'PAT1' then local t = {} for i = 1, 1e9 do t[i] = {i} end end
          print('hook stored ' .. f.patient_id)
        end
        """.write(toFile: hooks, atomically: true, encoding: .utf8)
        let port = freeTCPPort()
        let scp = try ChildProcess(
            dicomluaBinary, ["storescp", "--port", "\(port)", "--dir", path("in"), "--hooks", hooks],
            environment: environment)
        XCTAssertTrue(waitForLine(scp, containing: "listening"), scp.stderr)
        XCTAssertEqual(try storescu(port: port, files: sources).status, 0)
        XCTAssertTrue(waitForLine(scp, containing: "hook stored PAT2"), scp.stdout + scp.stderr)
        kill(scp.process.processIdentifier, SIGTERM)
        XCTAssertEqual(scp.wait(timeout: 40), 0, scp.stderr)
        XCTAssertTrue(scp.stderr.contains("on_stored exceeded HookTimeLimit (0.5 s)"), scp.stderr)
        XCTAssertTrue(scp.stderr.contains("on_stored exceeded LuaMemoryLimit (16 MiB)"), scp.stderr)
        XCTAssertEqual(files(in: path("in")).count, 3)
    }

    /// A second SIGTERM while the queued hooks drain ends the process at once, naming the files whose hooks
    /// did not run.
    func testASecondSignalExitsAtOnce() throws {
        try writeSystemConfiguration(port: freeTCPPort())
        let sources = try makeInstances(30)
        let hooks = path("hooks.lua")
        try "function on_stored(f) dicom.sleep(0.2) end".write(toFile: hooks, atomically: true, encoding: .utf8)
        let port = freeTCPPort()
        let scp = try ChildProcess(
            dicomluaBinary, ["storescp", "--port", "\(port)", "--dir", path("in"), "--hooks", hooks],
            environment: environment)
        XCTAssertTrue(waitForLine(scp, containing: "listening"), scp.stderr)
        XCTAssertEqual(try storescu(port: port, files: sources).status, 0)
        kill(scp.process.processIdentifier, SIGTERM)
        XCTAssertTrue(waitForLine(scp, containing: "stopping"), scp.stderr)
        usleep(300_000)
        let second = Date()
        kill(scp.process.processIdentifier, SIGTERM)
        XCTAssertEqual(scp.wait(timeout: 10), 1, scp.stderr)
        XCTAssertLessThan(Date().timeIntervalSince(second), 2)
        XCTAssertTrue(scp.stdout.contains("stopped at once"), scp.stdout)
        XCTAssertGreaterThan(
            scp.stderr.split(separator: "\n").filter { $0.contains("on_stored did not run for") }.count, 10,
            scp.stderr)
        XCTAssertEqual(files(in: path("in")).count, 30)
    }

    /// An in-process SCP whose script is busy (not in a blocking call) cannot answer `on_association`: after
    /// `AssociationHookTimeout` (1 s here) the association is refused, the refusal is reported, nothing is
    /// stored, and `on_association_end` hears of it once the script waits again.
    func testAnUnansweredAccessDecisionRefuses() throws {
        try writeSystemConfiguration(port: freeTCPPort(), extra: #", "AssociationHookTimeout": 1"#)
        let sources = try makeInstances(2)
        let script = """
            local scp = storage_scp.new{aet = 'INPROC', port = 0, dir = '\(path("inproc"))', host = '127.0.0.1'}
            local asked, ended = 0, {}
            scp:on_association(function(a) asked = asked + 1 return true end)
            scp:on_association_end(function(a) ended[#ended + 1] = tostring(a.refused) .. ' ' .. #a.files end)
            scp:start()
            os.execute(string.format('(TCP_NODELAY=1 /usr/bin/storescu -aet SENDER -aec INPROC 127.0.0.1 %d \(sources.joined(separator: " ")) >/dev/null 2>&1; echo $? > \(path("status"))) &', scp.port))
            local started = os.time()
            while os.time() - started < 4 do end   -- busy: no blocking call
            dicom.sleep(1)
            print('asked ' .. asked .. ' ended ' .. table.concat(ended, ','))
            scp:stop()
            """
        let result = try ChildProcess.run(dicomluaBinary, ["-e", script], environment: environment, timeout: 60)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "asked 0 ended true 0\n", result.stderr)
        XCTAssertTrue(result.stderr.contains("on_association did not answer within 1 s"), result.stderr)
        XCTAssertTrue(result.stderr.contains("refused by on_association"), result.stderr)
        let status = try String(contentsOfFile: path("status"), encoding: .utf8)
        XCTAssertNotEqual(status.trimmingCharacters(in: .whitespacesAndNewlines), "0", "storescu was refused")
        XCTAssertEqual(files(in: path("inproc")).count, 0, "a refused peer stores nothing")
    }

    /// The pid file is trusted only for a `dicomlua` executable: another program that holds the lock and has
    /// `storescp --service` in its command line is reported running (the lock is held) but never signalled;
    /// once it is gone, `status` says so and the stale pid file is removed.
    func testAPidFileOfAnotherProgramIsNeverSignalled() throws {
        try writeSystemConfiguration(port: freeTCPPort())
        let pidFile = path("log/storscp.pid")
        // flock -o: the lock is held by flock itself while its command (one python process) runs.
        let program = "import os, sys, time; open(sys.argv[1], 'w').write(str(os.getpid())); time.sleep(30)"
        let impostor = try ChildProcess(
            "/usr/bin/flock",
            ["-o", path("log/storscp.lock"), "/usr/bin/python3", "-c", program, pidFile, "storescp", "--service"])
        XCTAssertTrue(StorageWait.until { (try? String(contentsOfFile: pidFile, encoding: .utf8))?.isEmpty == false })
        let pid = try XCTUnwrap(
            pid_t(
                (try String(contentsOfFile: pidFile, encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines)))
        let answers = try lua("print(storage_scp.status()); print(storage_scp.stop())")
        XCTAssertEqual(answers.stdout, "service running\nfailed to send shutdown messages\n", answers.stderr)
        XCTAssertEqual(kill(pid, 0), 0, "the other program was not signalled")
        kill(pid, SIGKILL)
        impostor.stop()
        XCTAssertTrue(
            StorageWait.until { (try? self.lua("print(storage_scp.status())").stdout) == "service not running\n" })
        XCTAssertFalse(FileManager.default.fileExists(atPath: pidFile), "the stale pid file is removed")
    }
}
