import Foundation
import GRDB

/// The one place that opens SQLite files (through GRDB, on Linux the system libsqlite3): WAL journal and a
/// busy timeout, so that several processes can share a file (a de-identification map; the campaign journal,
/// a `DatabasePool` with settings of its own, opens through `retryingBusy` and migrates through `migrate`).
/// Tables are created by each user's own migrator.
public enum SQLiteDatabase {
    /// Opens (creating it if needed) the database at `path`; writers wait up to `busyTimeout` seconds for
    /// another process's transaction.
    ///
    /// Opening switches the file to WAL (`PRAGMA journal_mode = WAL`). When another connection does the same at
    /// that moment — two `dicomlua deidentify --map` runs starting on one new map — SQLite answers one of them
    /// `SQLITE_BUSY` at once instead of calling the busy handler; that open is tried again every 10 ms for at
    /// most `busyTimeout` seconds (`retryingBusy`).
    public static func open(path: String, busyTimeout: Double = 30) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.journalMode = .wal
        return try retryingBusy(within: busyTimeout) { try DatabaseQueue(path: path, configuration: configuration) }
    }

    /// Runs `open` (a `DatabaseQueue` or `DatabasePool` in WAL mode) again every 10 ms, for at most `seconds`, while
    /// it fails with `SQLITE_BUSY`: what SQLite answers at once, without the busy handler, to one of two
    /// connections switching the same new file to WAL.
    public static func retryingBusy<Database>(within seconds: Double, _ open: () throws -> Database) throws -> Database
    {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            do {
                return try open()
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY && Date() < deadline {
                usleep(10_000)
            }
        }
    }

    /// Runs `migrator` on `writer`, also when other processes create the same database at the same moment:
    /// GRDB reads which migrations were applied before it takes the write lock, so a slower process fails with
    /// "table … already exists" or "duplicate column name" (a later migration's `ALTER TABLE`). Such an error
    /// means another process's migration is committed, so the next attempt finds it applied and goes on with the
    /// rest; at most `attempts` attempts (one per migration another process may win).
    public static func migrate(_ migrator: DatabaseMigrator, _ writer: some DatabaseWriter, attempts: Int = 8) throws {
        for attempt in 1... {
            do {
                try migrator.migrate(writer)
                return
            } catch let error as DatabaseError where attempt < attempts && appliedElsewhere(error) {
                continue
            }
        }
    }

    private static func appliedElsewhere(_ error: DatabaseError) -> Bool {
        guard let message = error.message else { return false }
        return message.contains("already exists") || message.contains("duplicate column name")
    }
}
