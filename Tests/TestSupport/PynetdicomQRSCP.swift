import Foundation

/// pynetdicom's Q/R SCP app (`python3 -m pynetdicom qrscp`, docs/interop.md) on 127.0.0.1, serving what
/// `/usr/bin/storescu` loads into it from a folder: the one way tests start it.
public enum PynetdicomQRSCP {
    /// True when pynetdicom and sqlalchemy (which its qrscp needs) import; scripts/setup installs both.
    public static var isAvailable: Bool {
        (try? ChildProcess.run("/usr/bin/env", ["python3", "-c", "import pynetdicom, sqlalchemy"], timeout: 30))?
            .status == 0
    }

    /// Starts it as `PYQRSCP` on `port` with its files and database in `directory`, knowing `destinations`
    /// (AE title → port on 127.0.0.1) as C-MOVE destinations, then loads every file below `load` into it.
    /// The caller stops the returned process.
    public static func start(
        in directory: URL, port: Int, destinations: [(aeTitle: String, port: Int)], load: String
    ) throws -> ChildProcess {
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        var ini = """
            [DEFAULT]
                ae_title: PYQRSCP
                port: \(port)
                max_pdu: 16382
                acse_timeout: 30
                dimse_timeout: 30
                network_timeout: 30
                bind_address: 127.0.0.1
                instance_location: \(path("instances"))
                database_location: \(path("instances.sqlite"))
                log_identifier: False

            """
        for destination in destinations {
            ini += "[\(destination.aeTitle)]\n    address: 127.0.0.1\n    port: \(destination.port)\n"
        }
        try ini.write(toFile: path("qrscp.ini"), atomically: true, encoding: .utf8)
        let qrscp = try ChildProcess(
            "/usr/bin/env", ["python3", "-m", "pynetdicom", "qrscp", "-c", path("qrscp.ini")],
            currentDirectory: directory)
        guard waitForPort(port, timeout: 30) else {
            qrscp.stop()
            throw PynetdicomQRSCPError(message: "pynetdicom's qrscp did not listen on \(port): \(qrscp.stderr)")
        }
        let loaded = try ChildProcess.run(
            dcmtk("storescu"), ["-aec", "PYQRSCP", "+sd", "+r", "127.0.0.1", "\(port)", load], timeout: 120)
        guard loaded.status == 0 else {
            qrscp.stop()
            throw PynetdicomQRSCPError(message: "storescu could not load \(load) into it: \(loaded.stderr)")
        }
        return qrscp
    }
}

/// Why pynetdicom's qrscp could not be started or loaded.
public struct PynetdicomQRSCPError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
