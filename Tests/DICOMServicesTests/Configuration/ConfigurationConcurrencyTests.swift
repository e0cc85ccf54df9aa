import TestSupport
import XCTest

@testable import DICOMServices

/// `commit()` from many writers at once: each writer's edits survive, and the file always parses
/// (writes are atomic renames under an exclusive `flock`).
final class ConfigurationConcurrencyTests: ConfigurationTestCase {
    func testTwoObjectsCommittingDifferentChangesLoseNeither() throws {
        let a = try userConfiguration()
        let b = try userConfiguration()
        try a.setValue("321", forKey: "MaxQueryResponses")
        try b.setApplicationEntity(
            name: "pacs", aeTitle: "PACS", hostname: "h", port: 104, serviceList: .querySCP, serviceType: .querySCP)
        try a.commit()
        try b.commit()
        XCTAssertEqual(try b.value(forKey: "MaxQueryResponses"), "321", "b sees a's change after its own commit")
        let fresh = try userConfiguration()
        XCTAssertEqual(try fresh.value(forKey: "MaxQueryResponses"), "321")
        XCTAssertNoThrow(try fresh.applicationEntity(named: "pacs"))
    }

    func testAConflictingCommitFailsAndWritesNothing() throws {
        let setup = try userConfiguration()
        try setup.setApplicationEntity(
            name: "scp2", aeTitle: "SCP2", hostname: "h", port: 104, serviceList: .storageSCP, serviceType: .storageSCP)
        try setup.commit()
        let remover = try userConfiguration()
        let user = try userConfiguration()
        try user.setValue("scp2", forKey: "StorScpServiceAE")
        try user.commit()
        try remover.removeApplicationEntity(named: "scp2")  // fine in remover's (stale) view
        let before = try Data(contentsOf: locations.userFile)
        assertError(
            "commit: cannot apply the pending changes to \(locations.userFile.path) as another process left it: "
                + "scp2 is the StorScpServiceAE; set StorScpServiceAE to another AE before removing it; nothing was written"
        ) {
            try remover.commit()
        }
        XCTAssertEqual(try Data(contentsOf: locations.userFile), before)
    }

    func testManyThreadsCommittingAtOnceLoseNothingAndTheFileAlwaysParses() throws {
        _ = try userConfiguration()  // create the file first
        let writers = 6
        let rounds = 5
        let failures = FailureLog()
        let stop = StopFlag()
        let reader = Thread { [locations] in
            while !stop.isSet {
                do { _ = try Configuration(scope: .user, locations: locations!) } catch {
                    failures.add("reader: \(error)")
                }
            }
        }
        reader.start()
        DispatchQueue.concurrentPerform(iterations: writers) { [locations] writer in
            for round in 0..<rounds {
                do {
                    let c = try Configuration(scope: .user, locations: locations!)
                    try c.setApplicationEntity(
                        name: "w\(writer)_r\(round)", aeTitle: "W\(writer)R\(round)", hostname: "host\(writer)",
                        port: 1000 + writer, serviceList: .storageSCP, serviceType: .storageSCP)
                    try c.commit()
                } catch {
                    failures.add("writer \(writer) round \(round): \(error)")
                }
            }
        }
        stop.set()
        while !reader.isFinished { usleep(1000) }
        XCTAssertEqual(failures.messages, [])
        let names = Set(try userConfiguration().applicationEntities().map(\.name))
        for writer in 0..<writers {
            for round in 0..<rounds {
                XCTAssertTrue(names.contains("w\(writer)_r\(round)"), "w\(writer)_r\(round) was lost")
            }
        }
    }

    /// Real processes: the test executable is started again in "writer mode" (see `ConfigurationWriterProcess`).
    func testSeveralProcessesCommittingAtOnceLoseNothing() throws {
        _ = try userConfiguration()
        guard let executable = Bundle.main.executablePath ?? CommandLine.arguments.first,
            FileManager.default.isExecutableFile(atPath: executable)
        else {
            throw XCTSkip("cannot find the test executable to start writer processes")
        }
        let processes = 3
        let rounds = 4
        var children: [ChildProcess] = []
        for index in 0..<processes {
            children.append(
                try ChildProcess(
                    executable, ["DICOMServicesTests.ConfigurationWriterProcess/testWriterMode"],
                    environment: [
                        "DICOMLUA_TEST_CONFIG_WRITER": "\(index)", "DICOMLUA_TEST_CONFIG_ROUNDS": "\(rounds)",
                        "DICOMLUA_CONFIG": locations.userFile.path, "DICOMLUA_SYSTEM_CONFIG": locations.systemFile.path,
                        "HOME": locations.homeDirectory,
                    ]))
        }
        for child in children {
            let status = child.wait(timeout: 120)
            XCTAssertEqual(status, 0, "\(child.commandLine)\n\(child.stdout)\n\(child.stderr)")
        }
        let fresh = try Configuration(
            scope: .user,
            locations: .fromEnvironment([
                "DICOMLUA_CONFIG": locations.userFile.path, "DICOMLUA_SYSTEM_CONFIG": locations.systemFile.path,
                "HOME": locations.homeDirectory,
            ]))
        let names = Set(try fresh.applicationEntities().map(\.name))
        for index in 0..<processes {
            for round in 0..<rounds {
                XCTAssertTrue(names.contains("p\(index)_r\(round)"), "p\(index)_r\(round) was lost")
            }
        }
    }
}

/// Does nothing in a normal run. Started by `testSeveralProcessesCommittingAtOnceLoseNothing` with
/// `DICOMLUA_TEST_CONFIG_WRITER` set, it commits one new AE per round to the configuration named by the
/// environment.
final class ConfigurationWriterProcess: XCTestCase {
    func testWriterMode() throws {
        let environment = ProcessInfo.processInfo.environment
        guard let index = environment["DICOMLUA_TEST_CONFIG_WRITER"],
            let rounds = Int(environment["DICOMLUA_TEST_CONFIG_ROUNDS"] ?? "")
        else {
            return
        }
        for round in 0..<rounds {
            let c = try Configuration(scope: .user)
            try c.setApplicationEntity(
                name: "p\(index)_r\(round)", aeTitle: "P\(index)R\(round)", hostname: "h",
                port: 2000 + round, serviceList: .querySCP, serviceType: .querySCP)
            try c.commit()
        }
    }
}

private final class FailureLog: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func add(_ message: String) {
        lock.lock()
        list.append(message)
        lock.unlock()
    }
    var messages: [String] {
        lock.lock()
        defer { lock.unlock() }
        return list
    }
}

private final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() {
        lock.lock()
        value = true
        lock.unlock()
    }
    var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return value
    }
}
