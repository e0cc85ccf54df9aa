import GRDB

/// The one place that opens SQLite files (through GRDB, on Linux the system libsqlite3): WAL journal and a
/// busy timeout, so that several processes can share a file (a de-identification map, later the campaign
/// journal). Tables are created by each user's own migrator.
public enum SQLiteDatabase {
    /// Opens (creating it if needed) the database at `path`; writers wait up to `busyTimeout` seconds for
    /// another process's transaction.
    public static func open(path: String, busyTimeout: Double = 30) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.journalMode = .wal
        return try DatabaseQueue(path: path, configuration: configuration)
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
