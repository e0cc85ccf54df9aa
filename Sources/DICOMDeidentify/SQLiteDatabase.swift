import Foundation
import GRDB

/// The one place that opens SQLite files (through GRDB, on Linux the system libsqlite3): WAL journal and a
/// busy timeout, so that several processes can share a file (a de-identification map, later the campaign
/// journal). Tables are created by each user's own migrator.
public enum SQLiteDatabase {
    /// Opens (creating it if needed) the database at `path`; writers wait up to `busyTimeout` seconds for
    /// another process's transaction.
    ///
    /// Opening switches the file to WAL (`PRAGMA journal_mode = WAL`). When another connection does the same at
    /// that moment — two `dicomlua deidentify --map` runs starting on one new map — SQLite answers one of them
    /// `SQLITE_BUSY` at once instead of calling the busy handler; that open is tried again every 10 ms for at
    /// most `busyTimeout` seconds.
    public static func open(path: String, busyTimeout: Double = 30) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.journalMode = .wal
        let deadline = Date().addingTimeInterval(busyTimeout)
        while true {
            do {
                return try DatabaseQueue(path: path, configuration: configuration)
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY && Date() < deadline {
                usleep(10_000)
            }
        }
    }

    /// Runs `migrator` on `writer`, also when another process creates the same database at the same moment:
    /// GRDB reads which migrations were applied before it takes the write lock, so the slower of two
    /// processes fails with "table … already exists". That error means the other one's migration is
    /// committed (its tables are visible), so a second attempt finds it applied and does nothing.
    public static func migrate(_ migrator: DatabaseMigrator, _ writer: some DatabaseWriter) throws {
        do {
            try migrator.migrate(writer)
        } catch let error as DatabaseError where error.message?.contains("already exists") == true {
            try migrator.migrate(writer)
        }
    }
}
