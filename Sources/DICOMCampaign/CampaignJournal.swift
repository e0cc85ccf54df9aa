import DICOMDeidentify
import Foundation
import GRDB

/// The campaign journal: a SQLite database in WAL mode with `synchronous=NORMAL` (docs/design.md "Durable
/// state is a database"). Every write is its own committed transaction, made before the engine relies on
/// it, so a process killed at any moment leaves a consistent journal that says what had arrived. Several
/// processes may read it while one runs it (WAL readers do not block the writer).
public final class CampaignJournal: @unchecked Sendable {
    public let path: String
    let pool: DatabasePool

    /// Opens (creating and migrating when `readOnly` is false) the journal at `path`.
    /// - Throws: `CampaignError` saying what is wrong with the file.
    public init(path: String, readOnly: Bool = false) throws {
        self.path = path
        if readOnly && !FileManager.default.fileExists(atPath: path) {
            throw CampaignError("no journal at '\(path)'")
        }
        var configuration = Configuration()
        configuration.readonly = readOnly
        configuration.busyMode = .timeout(10)
        configuration.foreignKeysEnabled = true
        configuration.prepareDatabase { db in
            if !db.configuration.readonly { try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        }
        do {
            pool = try SQLiteDatabase.retryingBusy(within: 10) {
                try DatabasePool(path: path, configuration: configuration)
            }
            if !readOnly { try SQLiteDatabase.migrate(JournalSchema.migrator, pool) }
            let version = try pool.read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0 }
            guard version <= JournalSchema.version else {
                throw CampaignError(
                    "the journal '\(path)' has schema version \(version); this dicomlua knows up to "
                        + "\(JournalSchema.version): use a newer dicomlua")
            }
            if readOnly && version == 0 { throw CampaignError("'\(path)' is not a campaign journal") }
        } catch let error as CampaignError {
            throw error
        } catch {
            throw CampaignError("cannot open the journal '\(path)': \(error)")
        }
    }

    private func write<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try pool.write(body) } catch let error as CampaignError { throw error } catch {
            throw CampaignError("journal '\(path)': \(error)")
        }
    }

    private func read<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try pool.read(body) } catch let error as CampaignError { throw error } catch {
            throw CampaignError("journal '\(path)': \(error)")
        }
    }

    static func timestamp(_ date: Date = Date()) -> String { JournalTimestamp.string(date) }

    static func date(_ text: String?) -> Date? { text.flatMap(JournalTimestamp.date) }

    // MARK: Options

    /// True when a de-identification map was created in this journal (a campaign run with `--deidentify`
    /// and no `--map`; docs/deidentification.md "Campaigns").
    public func keepsDeidentificationMap() throws -> Bool {
        try read { db in try db.tableExists("deid_meta") }
    }

    /// How the campaign de-identifies; nil when it does not (or the journal predates schema 3).
    public func deidentification() throws -> CampaignDeidentification? {
        try read { db in
            guard try db.tableExists("deidentification"),
                let row = try Row.fetchOne(db, sql: "SELECT * FROM deidentification WHERE id = 1")
            else { return nil }
            let optionsText: String = row["options"]
            let options = (try? JSONSerialization.jsonObject(with: Data(optionsText.utf8))) as? [String] ?? []
            return CampaignDeidentification(
                options: options, map: row["map"], lookup: row["lookup"], quarantine: row["quarantine"],
                allowBurnedIn: row["allow_burned_in"])
        }
    }

    /// Stores how the campaign de-identifies (replacing what was stored).
    public func store(_ settings: CampaignDeidentification) throws {
        let options = String(decoding: try JSONSerialization.data(withJSONObject: settings.options), as: UTF8.self)
        try write { db in
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO deidentification(id, options, map, lookup, quarantine, allow_burned_in)
                    VALUES (1, ?, ?, ?, ?, ?)
                    """,
                arguments: [options, settings.map, settings.lookup, settings.quarantine, settings.allowBurnedIn])
        }
    }

    /// The stored options.
    public func options() throws -> CampaignOptions {
        try read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT name, value FROM options")
            var object: [String: Any] = [:]
            for row in rows {
                let name: String = row["name"]
                let value: String = row["value"]
                if let data = value.data(using: .utf8),
                    let parsed = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
                {
                    object[Self.codingKey(name)] = parsed
                }
            }
            let data = try JSONSerialization.data(withJSONObject: object)
            return (try? JSONDecoder().decode(CampaignOptions.self, from: data)) ?? CampaignOptions()
        }
    }

    /// Stores the given fields of `options` (one row per option, the value as JSON).
    public func store(_ options: CampaignOptions) throws {
        let data = try JSONEncoder().encode(options)
        let object = (try JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        try write { db in
            for (key, value) in object {
                let json = try JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed])
                try db.execute(
                    sql:
                        "INSERT INTO options(name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                    arguments: [Self.optionName(key), String(decoding: json, as: UTF8.self)])
            }
        }
    }

    /// `querySCP` → `query_scp`.
    static func optionName(_ codingKey: String) -> String {
        var out = ""
        for c in codingKey {
            if c.isUppercase { out += "_" + c.lowercased() } else { out.append(c) }
        }
        return out == "query_s_c_p" ? "query_scp" : out == "storage_s_c_p" ? "storage_scp" : out
    }

    static func codingKey(_ name: String) -> String {
        switch name {
        case "query_scp": return "querySCP"
        case "storage_scp": return "storageSCP"
        default:
            var out = ""
            var upper = false
            for c in name {
                if c == "_" {
                    upper = true
                } else {
                    out += upper ? c.uppercased() : String(c)
                    upper = false
                }
            }
            return out
        }
    }

    // MARK: Items

    /// Adds an item unless one with the same unique key exists; returns its id and whether it is new.
    @discardableResult
    public func add(_ keys: CampaignKeys, data: [String: String] = [:]) throws -> (id: Int64, added: Bool) {
        try keys.validate()
        let json = String(
            decoding: try JSONSerialization.data(withJSONObject: data, options: [.sortedKeys]), as: UTF8.self)
        return try write { db in try Self.insert(db, keys, json: json) }
    }

    /// Adds many items in one transaction; returns how many were new.
    public func add(_ rows: [(CampaignKeys, [String: String])]) throws -> Int {
        for (keys, _) in rows { try keys.validate() }
        return try write { db in
            var added = 0
            for (keys, data) in rows {
                let json = String(
                    decoding: try JSONSerialization.data(withJSONObject: data, options: [.sortedKeys]), as: UTF8.self)
                if try Self.insert(db, keys, json: json).added { added += 1 }
            }
            return added
        }
    }

    private static func insert(_ db: Database, _ keys: CampaignKeys, json: String) throws -> (id: Int64, added: Bool) {
        if let id = try Int64.fetchOne(
            db, sql: "SELECT id FROM items WHERE unique_key = ?", arguments: [keys.uniqueKey])
        {
            return (id, false)
        }
        try db.execute(
            sql: """
                INSERT INTO items(unique_key, patient_id, accession_number, study_instance_uid, series_instance_uid,
                    sop_instance_uid, data) VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                keys.uniqueKey, keys.patientID, keys.accessionNumber, keys.studyInstanceUID, keys.seriesInstanceUID,
                keys.sopInstanceUID, json,
            ])
        let id = db.lastInsertedRowID
        try event(db, item: id, state: .pending, message: "added")
        return (id, true)
    }

    private static func event(_ db: Database, item: Int64?, state: CampaignItemState?, message: String?) throws {
        try db.cachedStatement(sql: "INSERT INTO events(at, item_id, state, message) VALUES (?, ?, ?, ?)").execute(
            arguments: [timestamp(), item, state?.rawValue, message])
    }

    /// Records a note in the history (`events`) without an item (a run started, stopped, gave up).
    public func note(_ message: String) throws {
        try write { db in try Self.event(db, item: nil, state: nil, message: message) }
    }

    /// Replaces an accession-number item by the studies found for it: each becomes its own item with the
    /// accession number, the item's data and its study's keys. Returns the ids of the study items.
    public func resolve(accessionItem id: Int64, studies: [CampaignKeys]) throws -> [Int64] {
        try write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT data FROM items WHERE id = ?", arguments: [id]) else {
                return []
            }
            let json: String = row["data"]
            var ids: [Int64] = []
            for study in studies { ids.append(try Self.insert(db, study, json: json).id) }
            try db.execute(sql: "DELETE FROM items WHERE id = ?", arguments: [id])
            try Self.event(db, item: id, state: nil, message: "resolved to \(studies.count) stud(ies): items \(ids)")
            return ids
        }
    }

    /// Sets an item's state (and message; `started`/`finished` as the state implies), with a history row.
    public func setState(_ id: Int64, _ state: CampaignItemState, message: String?) throws {
        try write { db in
            let now = Self.timestamp()
            switch state {
            case .running:
                try db.execute(
                    sql: """
                        UPDATE items SET state = ?, message = ?, started = ?, finished = NULL, waiting_until = NULL
                        WHERE id = ?
                        """,
                    arguments: [state.rawValue, message, now, id])
            case .complete, .partial, .failed, .empty, .notFound, .cancelled:
                try db.execute(
                    sql: "UPDATE items SET state = ?, message = ?, finished = ?, waiting_until = NULL WHERE id = ?",
                    arguments: [state.rawValue, message, now, id])
            case .pending:
                try db.execute(
                    sql: "UPDATE items SET state = ?, message = ?, waiting_until = NULL WHERE id = ?",
                    arguments: [state.rawValue, message, id])
            }
            try Self.event(db, item: id, state: state, message: message)
        }
    }

    /// A running item waits for its turn (window, back-off, `min_interval`) until `until`; nil when it goes on.
    /// Not an event: `status` shows it, the history does not need it.
    public func setWaiting(_ id: Int64, until: Date?) throws {
        try write { db in
            try db.execute(
                sql: "UPDATE items SET waiting_until = ? WHERE id = ? AND state = 'running'",
                arguments: [until.map { Self.timestamp($0) }, id])
        }
    }

    /// One more round of requests for an item.
    public func countAttempt(_ id: Int64) throws {
        try write { db in try db.execute(sql: "UPDATE items SET attempts = attempts + 1 WHERE id = ?", arguments: [id])
        }
    }

    /// Items left `running` by a run that died go back to `pending`; returns how many.
    public func resetRunning() throws -> Int {
        try write { db in
            try db.execute(
                sql: """
                    UPDATE items SET state = 'pending', message = 'interrupted: retried', waiting_until = NULL
                    WHERE state = 'running'
                    """)
            let n = db.changesCount
            if n > 0 {
                try Self.event(db, item: nil, state: .pending, message: "\(n) item(s) in flight reset to pending")
            }
            return n
        }
    }

    /// Checks that every recorded file exists; forgets those that do not and reopens their items (a
    /// `complete` item becomes `pending`). Returns the number of files found missing.
    public func recheckFiles() throws -> Int {
        let rows = try read { db in try Row.fetchAll(db, sql: "SELECT sop_instance_uid, item_id, path FROM instances") }
        var gone: [(String, Int64?)] = []
        for row in rows {
            let path: String = row["path"]
            if !FileManager.default.fileExists(atPath: path) { gone.append((row["sop_instance_uid"], row["item_id"])) }
        }
        guard !gone.isEmpty else { return 0 }
        try write { db in
            for (uid, item) in gone {
                try db.execute(sql: "DELETE FROM instances WHERE sop_instance_uid = ?", arguments: [uid])
                if let item {
                    try db.execute(
                        sql: """
                            UPDATE items SET state = 'pending', message = 'recorded files were missing on disk'
                            WHERE id = ? AND state IN ('complete', 'partial', 'failed')
                            """, arguments: [item])
                }
            }
            try Self.event(db, item: nil, state: nil, message: "\(gone.count) recorded file(s) missing on disk")
        }
        return gone.count
    }

    /// Ids of the items a run takes (pending, running, partial, failed), in the order they were added.
    public func itemIDsToRun() throws -> [Int64] {
        try read { db in
            try Int64.fetchAll(
                db, sql: "SELECT id FROM items WHERE state IN ('pending', 'running', 'partial', 'failed') ORDER BY id")
        }
    }

    // MARK: Inventory and arrivals

    /// Replaces the inventory of an item.
    public func setExpected(_ id: Int64, _ entries: [InventoryEntry]) throws {
        try write { db in
            try db.execute(sql: "DELETE FROM expected WHERE item_id = ?", arguments: [id])
            for e in entries {
                try db.execute(
                    sql: """
                        INSERT OR IGNORE INTO expected(item_id, sop_instance_uid, study_instance_uid, series_instance_uid)
                        VALUES (?, ?, ?, ?)
                        """, arguments: [id, e.sopInstanceUID, e.studyInstanceUID, e.seriesInstanceUID])
            }
            let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM expected WHERE item_id = ?", arguments: [id])
            try db.execute(sql: "UPDATE items SET expected_count = ? WHERE id = ?", arguments: [count, id])
        }
    }

    /// The inventory of an item; nil when none was taken.
    public func expected(_ id: Int64) throws -> [InventoryEntry]? {
        try read { db in
            let count =
                try Int?.fetchOne(db, sql: "SELECT expected_count FROM items WHERE id = ?", arguments: [id]) ?? nil
            guard count != nil else { return nil }
            return try Row.fetchAll(
                db,
                sql: "SELECT sop_instance_uid, study_instance_uid, series_instance_uid FROM expected WHERE item_id = ?",
                arguments: [id]
            ).map {
                InventoryEntry(
                    studyInstanceUID: $0["study_instance_uid"], seriesInstanceUID: $0["series_instance_uid"],
                    sopInstanceUID: $0["sop_instance_uid"])
            }
        }
    }

    /// Records an arrived instance (committed when this returns).
    public func recordArrival(_ arrival: Arrival, item: Int64?) throws {
        try write { db in
            try db.cachedStatement(
                sql: """
                    INSERT INTO instances(sop_instance_uid, item_id, study_instance_uid, series_instance_uid, path, bytes,
                        arrived) VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(sop_instance_uid) DO UPDATE SET item_id = coalesce(excluded.item_id, item_id),
                        path = excluded.path, bytes = excluded.bytes, arrived = excluded.arrived
                    """
            ).execute(
                arguments: [
                    arrival.sopInstanceUID, item, arrival.studyInstanceUID, arrival.seriesInstanceUID, arrival.path,
                    arrival.bytes, Self.timestamp(),
                ])
        }
    }

    /// SOP Instance UIDs recorded as arrived among `uids`.
    public func arrivedUIDs(among uids: [String]) throws -> Set<String> {
        try read { db in
            var found: Set<String> = []
            for chunk in stride(from: 0, to: uids.count, by: 500).map({ Array(uids[$0..<min($0 + 500, uids.count)]) }) {
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                found.formUnion(
                    try String.fetchAll(
                        db, sql: "SELECT sop_instance_uid FROM instances WHERE sop_instance_uid IN (\(marks))",
                        arguments: StatementArguments(chunk)))
            }
            return found
        }
    }

    /// The item an arrival belongs to, by its UIDs (the most specific item that names them).
    public func itemFor(study: String?, series: String?, sop: String) throws -> Int64? {
        try read { db in
            if let id = try Int64.fetchOne(
                db, sql: "SELECT item_id FROM expected WHERE sop_instance_uid = ? ORDER BY item_id LIMIT 1",
                arguments: [sop])
            {
                return id
            }
            for (column, value) in [
                ("sop_instance_uid", sop), ("series_instance_uid", series), ("study_instance_uid", study),
            ] {
                guard let value else { continue }
                if let id = try Int64.fetchOne(
                    db, sql: "SELECT id FROM items WHERE \(column) = ? ORDER BY id LIMIT 1", arguments: [value])
                {
                    return id
                }
            }
            return nil
        }
    }

    /// Records the UIDs the archive said failed and that have not arrived.
    public func setFailedUIDs(_ id: Int64, _ uids: [String]) throws {
        try write { db in
            try db.execute(sql: "DELETE FROM failed_uids WHERE item_id = ?", arguments: [id])
            for uid in uids {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO failed_uids(item_id, sop_instance_uid) VALUES (?, ?)",
                    arguments: [id, uid])
            }
        }
    }

    // MARK: Reading

    /// Items, optionally only those in `state`, in the order they were added.
    public func items(state: CampaignItemState? = nil) throws -> [CampaignItem] {
        try read { db in
            let rows: [Row]
            if let state {
                rows = try Row.fetchAll(
                    db, sql: "SELECT * FROM items WHERE state = ? ORDER BY id", arguments: [state.rawValue])
            } else {
                rows = try Row.fetchAll(db, sql: "SELECT * FROM items ORDER BY id")
            }
            return try rows.map { try Self.item(db, $0) }
        }
    }

    /// One item.
    public func item(_ id: Int64) throws -> CampaignItem? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM items WHERE id = ?", arguments: [id]).map { try Self.item(db, $0) }
        }
    }

    private static func item(_ db: Database, _ row: Row) throws -> CampaignItem {
        let id: Int64 = row["id"]
        let keys = CampaignKeys(
            patientID: row["patient_id"], accessionNumber: row["accession_number"],
            studyInstanceUID: row["study_instance_uid"], seriesInstanceUID: row["series_instance_uid"],
            sopInstanceUID: row["sop_instance_uid"])
        let dataText: String = row["data"]
        let data =
            (try? JSONSerialization.jsonObject(with: Data(dataText.utf8))) as? [String: String] ?? [:]
        let expectedCount: Int? = row["expected_count"]
        let arrived =
            try Row.fetchOne(
                db, sql: "SELECT count(*) AS n, coalesce(sum(bytes), 0) AS b FROM instances WHERE item_id = ?",
                arguments: [id])
        let missing =
            expectedCount == nil
            ? []
            : try String.fetchAll(
                db,
                sql: """
                    SELECT e.sop_instance_uid FROM expected e LEFT JOIN instances i
                    ON i.sop_instance_uid = e.sop_instance_uid WHERE e.item_id = ? AND i.sop_instance_uid IS NULL
                    ORDER BY e.series_instance_uid, e.sop_instance_uid
                    """, arguments: [id])
        let failed = try String.fetchAll(
            db,
            sql: """
                SELECT f.sop_instance_uid FROM failed_uids f LEFT JOIN instances i
                ON i.sop_instance_uid = f.sop_instance_uid WHERE f.item_id = ? AND i.sop_instance_uid IS NULL
                """, arguments: [id])
        return CampaignItem(
            id: id, keys: keys, data: data,
            state: CampaignItemState(rawValue: row["state"]) ?? .pending, expectedCount: expectedCount,
            arrived: arrived?["n"] ?? 0, missing: missing, failedUIDs: failed, attempts: row["attempts"],
            bytes: arrived?["b"] ?? 0, message: row["message"], started: date(row["started"]),
            finished: date(row["finished"]))
    }

    /// Counts per state, instances and bytes.
    public func summary(elapsed: Double = 0, message: String? = nil) throws -> CampaignSummary {
        try read { db in
            var counts: [CampaignItemState: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, count(*) AS n FROM items GROUP BY state") {
                if let state = CampaignItemState(rawValue: row["state"]) { counts[state] = row["n"] }
            }
            let totals = try Row.fetchOne(
                db, sql: "SELECT count(*) AS n, coalesce(sum(bytes), 0) AS b FROM instances WHERE item_id IS NOT NULL")
            var summary = CampaignSummary(
                total: counts.values.reduce(0, +), counts: counts, instances: totals?["n"] ?? 0,
                bytes: totals?["b"] ?? 0, elapsed: elapsed, message: message)
            // A journal of schema 1 (read-only, not migrated) has no waiting_until.
            if try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0 >= 2,
                let waiting = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT count(*) AS n, min(waiting_until) AS until FROM items
                        WHERE state = 'running' AND waiting_until IS NOT NULL
                        """)
            {
                summary.waiting = waiting["n"] ?? 0
                summary.waitingUntil = Self.date(waiting["until"])
            }
            return summary
        }
    }

    /// `PRAGMA integrity_check` ("ok" for a sound file).
    public func integrityCheck() throws -> String {
        try read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "?" }
    }
}

/// One instance an inventory listed.
public struct InventoryEntry: Sendable, Equatable, Hashable {
    public var studyInstanceUID: String
    public var seriesInstanceUID: String
    public var sopInstanceUID: String

    public init(studyInstanceUID: String, seriesInstanceUID: String, sopInstanceUID: String) {
        self.studyInstanceUID = studyInstanceUID
        self.seriesInstanceUID = seriesInstanceUID
        self.sopInstanceUID = sopInstanceUID
    }
}

/// One instance that arrived (an SCP of this process stored it, or a C-GET wrote it, or it was found on disk
/// by its name).
public struct Arrival: Sendable, Equatable {
    public var sopInstanceUID: String
    public var studyInstanceUID: String?
    public var seriesInstanceUID: String?
    public var path: String
    public var bytes: Int64

    public init(
        sopInstanceUID: String, studyInstanceUID: String?, seriesInstanceUID: String?, path: String, bytes: Int64
    ) {
        self.sopInstanceUID = sopInstanceUID
        self.studyInstanceUID = studyInstanceUID
        self.seriesInstanceUID = seriesInstanceUID
        self.path = path
        self.bytes = bytes
    }
}
