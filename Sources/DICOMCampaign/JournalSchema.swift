import GRDB

/// The journal's tables (documented for `sqlite3` users in the README, "campaign"), built by numbered
/// migrations. `PRAGMA user_version` carries the schema version for readers without GRDB.
enum JournalSchema {
    /// The version the last migration produces.
    static let version = 3

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE options (
                        name TEXT PRIMARY KEY,
                        value TEXT NOT NULL
                    );
                    CREATE TABLE items (
                        id INTEGER PRIMARY KEY,
                        unique_key TEXT NOT NULL UNIQUE,
                        patient_id TEXT,
                        accession_number TEXT,
                        study_instance_uid TEXT,
                        series_instance_uid TEXT,
                        sop_instance_uid TEXT,
                        data TEXT NOT NULL DEFAULT '{}',
                        state TEXT NOT NULL DEFAULT 'pending',
                        expected_count INTEGER,
                        attempts INTEGER NOT NULL DEFAULT 0,
                        message TEXT,
                        started TEXT,
                        finished TEXT
                    );
                    CREATE INDEX items_state ON items(state);
                    CREATE INDEX items_study ON items(study_instance_uid);
                    CREATE TABLE expected (
                        item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
                        sop_instance_uid TEXT NOT NULL,
                        study_instance_uid TEXT NOT NULL,
                        series_instance_uid TEXT NOT NULL,
                        PRIMARY KEY (item_id, sop_instance_uid)
                    );
                    CREATE INDEX expected_sop ON expected(sop_instance_uid);
                    CREATE TABLE instances (
                        sop_instance_uid TEXT PRIMARY KEY,
                        item_id INTEGER REFERENCES items(id) ON DELETE SET NULL,
                        study_instance_uid TEXT,
                        series_instance_uid TEXT,
                        path TEXT NOT NULL,
                        bytes INTEGER NOT NULL,
                        arrived TEXT NOT NULL
                    );
                    CREATE INDEX instances_item ON instances(item_id);
                    CREATE TABLE failed_uids (
                        item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
                        sop_instance_uid TEXT NOT NULL,
                        PRIMARY KEY (item_id, sop_instance_uid)
                    );
                    CREATE TABLE events (
                        id INTEGER PRIMARY KEY,
                        at TEXT NOT NULL,
                        item_id INTEGER,
                        state TEXT,
                        message TEXT
                    );
                    PRAGMA user_version = 1;
                    """)
        }
        // v2: when a running item waits for its turn (window, back-off, min_interval), until when.
        migrator.registerMigration("v2") { db in
            try db.execute(
                sql: """
                    ALTER TABLE items ADD COLUMN waiting_until TEXT;
                    PRAGMA user_version = 2;
                    """)
        }
        // v3: how the campaign de-identifies (`run --deidentify` and its options), one row when it does.
        migrator.registerMigration("v3") { db in
            try db.execute(
                sql: """
                    CREATE TABLE deidentification (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        options TEXT NOT NULL DEFAULT '[]',
                        map TEXT,
                        lookup TEXT,
                        quarantine TEXT,
                        allow_burned_in INTEGER NOT NULL DEFAULT 0
                    );
                    PRAGMA user_version = 3;
                    """)
        }
        return migrator
    }
}
