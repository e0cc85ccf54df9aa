import Crypto
import DICOMCore
import Foundation
import GRDB

/// A patient's pseudonym and date shift (docs/lua-api.md "De-identification").
public struct PatientPseudonym: Sendable, Equatable {
    public let pseudonym: String
    /// Days added to every date of this patient (negative: moved into the past).
    public let dateShiftDays: Int
}

/// Errors of the map, in words for whoever runs the cohort.
public struct DeidentificationError: Error, Sendable, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Where pseudonyms, date shifts and the key of the UID mapping live (docs/lua-api.md "De-identification").
///
/// New UIDs are `2.25.` UIDs (PS3.5 §B.2) made from a UUID whose bits are HMAC-SHA-256(secret key, old UID):
/// the same map always gives the same new UID, and without the key the new UID says nothing of the old one.
/// The key is random per map (stored in the map file) or, without a file, per run. Patients get a generated
/// pseudonym (or the one given) and a random date shift, kept in the file so that every later run and every
/// other process gives the same. The map holds identifying data: keep it with the originals.
public final class DeidentificationMap: @unchecked Sendable {
    private let secret: [UInt8]
    private let database: DatabaseQueue?
    private let lock = NSLock()
    private var patients: [String: PatientPseudonym] = [:]
    private var uidCache: [String: String] = [:]
    /// Where the map is (for messages), nil in memory.
    public let path: String?

    /// A map for one run only (nothing written to disk).
    public init() {
        secret = Self.randomBytes(32)
        database = nil
        path = nil
    }

    /// The map in the SQLite file at `path` (created with a new random key if it does not exist).
    public convenience init(path: String) throws {
        try self.init(database: SQLiteDatabase.open(path: path), path: path)
    }

    /// The map's tables in an open database (e.g. a campaign journal): `deid_meta` and `deid_patient`.
    public init(database: DatabaseQueue, path: String? = nil) throws {
        self.database = database
        self.path = path
        var migrator = DatabaseMigrator()
        migrator.registerMigration("deidentification map v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE deid_meta (key TEXT PRIMARY KEY NOT NULL, value BLOB NOT NULL);
                    CREATE TABLE deid_patient (
                        original_key TEXT PRIMARY KEY NOT NULL,
                        pseudonym TEXT NOT NULL UNIQUE,
                        date_shift_days INTEGER NOT NULL,
                        created TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP);
                    """)
        }
        try SQLiteDatabase.migrate(migrator, database)
        let candidate = Self.randomBytes(32)
        secret = try database.writeWithoutTransaction { db in
            try db.inTransaction(.immediate) {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO deid_meta(key, value) VALUES ('uid_key', ?)",
                    arguments: [Data(candidate)])
                return .commit
            }
            let data = try Data.fetchOne(db, sql: "SELECT value FROM deid_meta WHERE key = 'uid_key'") ?? Data()
            return [UInt8](data)
        }
    }

    static func randomBytes(_ n: Int) -> [UInt8] {
        var g = SystemRandomNumberGenerator()
        return (0..<n).map { _ in UInt8.random(in: 0...255, using: &g) }
    }

    // MARK: - UIDs

    /// The new UID for `uid` (trailing NUL/space padding ignored).
    public func newUID(for uid: String) -> String {
        let key = ValuePadding.trimmed(uid)
        lock.lock()
        if let cached = uidCache[key] {
            lock.unlock()
            return cached
        }
        lock.unlock()
        let mac = HMAC<SHA256>.authenticationCode(for: Array(("uid:" + key).utf8), using: SymmetricKey(data: secret))
        var bytes = Array(Array(mac).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x80  // UUID version 8 (RFC 9562), custom
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // variant 10
        let result = "2.25." + Self.decimal(bytes)
        lock.lock()
        if uidCache.count > 100_000 { uidCache.removeAll(keepingCapacity: true) }
        uidCache[key] = result
        lock.unlock()
        return result
    }

    /// The unsigned big-endian integer in `bytes` as decimal digits.
    static func decimal(_ bytes: [UInt8]) -> String {
        var n = bytes
        var digits: [UInt8] = []
        while n.contains(where: { $0 != 0 }) {
            var remainder = 0
            for i in 0..<n.count {
                let v = remainder << 8 | Int(n[i])
                n[i] = UInt8(v / 10)
                remainder = v % 10
            }
            digits.append(UInt8(remainder) + 48)
        }
        return digits.isEmpty ? "0" : String(decoding: digits.reversed(), as: UTF8.self)
    }

    // MARK: - Patients

    /// The pseudonym and date shift of the patient known by `key` (its original Patient ID, see
    /// `Deidentifier`). `requested` is the pseudonym the caller wants (the `patient_id` option or the lookup
    /// CSV): it must agree with the map. Throws when it contradicts the map or is another patient's.
    public func patient(key: String, requested: String?) throws -> PatientPseudonym {
        lock.lock()
        defer { lock.unlock() }
        if let known = patients[key] {
            try check(known, requested: requested)
            return known
        }
        let result: PatientPseudonym
        if let database {
            result = try database.writeWithoutTransaction { db -> PatientPseudonym in
                var found: PatientPseudonym? = nil
                try db.inTransaction(.immediate) {
                    found = try Self.lookup(db, key)
                    if found == nil {
                        let pseudonym =
                            try requested
                            ?? Self.freshPseudonym { p in
                                try Self.pseudonymTaken(db, p)
                            }
                        if try Self.pseudonymTaken(db, pseudonym) {
                            throw DeidentificationError(
                                "patient_id '\(pseudonym)' is already the pseudonym of another patient in the map \(path ?? "")"
                            )
                        }
                        let entry = PatientPseudonym(pseudonym: pseudonym, dateShiftDays: Self.randomShift())
                        try db.execute(
                            sql: "INSERT INTO deid_patient(original_key, pseudonym, date_shift_days) VALUES (?, ?, ?)",
                            arguments: [key, entry.pseudonym, entry.dateShiftDays])
                        found = entry
                    }
                    return .commit
                }
                return found!
            }
            try check(result, requested: requested)
        } else {
            if let requested, patients.values.contains(where: { $0.pseudonym == requested }) {
                throw DeidentificationError("patient_id '\(requested)' is already the pseudonym of another patient")
            }
            let pseudonym =
                try requested
                ?? Self.freshPseudonym { p in patients.values.contains { $0.pseudonym == p } }
            result = PatientPseudonym(pseudonym: pseudonym, dateShiftDays: Self.randomShift())
        }
        patients[key] = result
        return result
    }

    private func check(_ known: PatientPseudonym, requested: String?) throws {
        if let requested, requested != known.pseudonym {
            throw DeidentificationError(
                "patient_id '\(requested)' contradicts the map\(path.map { " \($0)" } ?? ""): this patient's pseudonym is '\(known.pseudonym)'"
            )
        }
    }

    private static func lookup(_ db: Database, _ key: String) throws -> PatientPseudonym? {
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT pseudonym, date_shift_days FROM deid_patient WHERE original_key = ?",
                arguments: [key])
        else { return nil }
        return PatientPseudonym(pseudonym: row[0], dateShiftDays: row[1])
    }

    private static func pseudonymTaken(_ db: Database, _ pseudonym: String) throws -> Bool {
        try Int.fetchOne(db, sql: "SELECT 1 FROM deid_patient WHERE pseudonym = ?", arguments: [pseudonym]) != nil
    }

    /// "ANON-" and 10 random characters of an unambiguous alphabet, not yet `taken`.
    static func freshPseudonym(taken: (String) throws -> Bool) throws -> String {
        let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var g = SystemRandomNumberGenerator()
        while true {
            let p = "ANON-" + String((0..<10).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &g)] })
            if try !taken(p) { return p }
        }
    }

    /// A random shift of 1 to 3650 days into the past.
    static func randomShift() -> Int {
        var g = SystemRandomNumberGenerator()
        return -Int.random(in: 1...3650, using: &g)
    }

    /// Number of patients in the map (for reports and tests).
    public func patientCount() throws -> Int {
        if let database {
            return try database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM deid_patient") ?? 0 }
        }
        lock.lock()
        defer { lock.unlock() }
        return patients.count
    }
}
