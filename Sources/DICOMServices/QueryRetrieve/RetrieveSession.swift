import DICOMNetwork
import Foundation

/// The whole story of one retrieve (docs/lua-api.md "Retrieve reports, verification and retry";
/// docs/retrieval-model.md): the inventory, every request with every response, and the instances attributed
/// to it. `RetrieveService` writes it while the retrieve runs; any task may read it (a callback's
/// `takeNewArrivals()`, a campaign's progress) and `report` turns it into the verdict.
public final class RetrieveSession: @unchecked Sendable {
    private let lock = NSLock()
    private var destination: RetrieveDestination = .unobservable
    /// Originator AE titles accepted in attribution: our calling AE title and the archive's own.
    private var originators: Set<String> = []
    private var inventoryState: RetrieveVerdictRules.Inventory = .notAsked
    private var items: [InventoryItem] = []
    private var requestRecords: [RetrieveRequestRecord] = []
    /// Tracker positions per request message ID.
    private var positions: [UInt16: Int] = [:]
    /// Attributed instances per request message ID (for the settle wait).
    private var perRequest: [UInt16: Int] = [:]
    private var arrivals: [StoredInstance] = []
    private var arrivedUIDs: Set<String> = []
    /// How many of `arrivals` a callback has been given.
    private var reportedToCallback = 0
    private var cancelledFlag = false
    private let started = Date()

    public init() {}

    /// Seconds since the session was made.
    public var elapsed: Double { Date().timeIntervalSince(started) }

    // MARK: Written by the service

    func observe(_ destination: RetrieveDestination, originators: Set<String>) {
        lock.withLock {
            self.destination = destination
            self.originators = Set(originators.map { $0.trimmingCharacters(in: .whitespaces) })
        }
    }

    func setInventory(_ state: RetrieveVerdictRules.Inventory, items: [InventoryItem]) {
        lock.withLock {
            inventoryState = state
            self.items = items
        }
    }

    /// Starts a request record; returns its index.
    func beginRequest(attempt: Int, sopInstanceUIDs: [String]) -> Int {
        lock.withLock {
            requestRecords.append(RetrieveRequestRecord(attempt: attempt, sopInstanceUIDs: sopInstanceUIDs))
            return requestRecords.count - 1
        }
    }

    func sent(_ index: Int, messageID: UInt16) { lock.withLock { requestRecords[index].messageID = messageID } }
    func received(_ index: Int, _ response: RetrieveResponse) {
        lock.withLock { requestRecords[index].responses.append(response) }
    }
    /// The latest counters request `index` received (each counter from the last response that had it).
    func lastCounts(_ index: Int) -> SubOperationCounts { lock.withLock { requestRecords[index].lastCounts } }
    func failed(_ index: Int, _ why: String, refusal: ArchiveRefusal? = nil) {
        lock.withLock {
            requestRecords[index].failure = why
            requestRecords[index].refusal = refusal
        }
    }

    /// Counts the instances of the inventory that `present` names as arrived before this retrieve (a caller
    /// that already holds them, e.g. a resumed campaign item): they are not asked for, and they are not in
    /// `report.arrived` (this retrieve did not bring them).
    func markPresent(_ present: Set<String>) {
        lock.withLock {
            for item in items where present.contains(item.sopInstanceUID) { arrivedUIDs.insert(item.sopInstanceUID) }
        }
    }
    func markCancelled() { lock.withLock { cancelledFlag = true } }

    /// An instance a C-GET of this session stored (attributed by construction: it came on our association).
    func arrived(_ instance: StoredInstance, request index: Int) {
        lock.withLock {
            if let id = requestRecords[index].messageID { perRequest[id, default: 0] += 1 }
            add(instance)
        }
    }

    private func add(_ instance: StoredInstance) {
        if arrivedUIDs.insert(instance.sopInstanceUID).inserted {
            arrivals.append(instance)
        } else if let i = arrivals.firstIndex(where: { $0.sopInstanceUID == instance.sopInstanceUID }) {
            arrivals[i] = instance
        }
    }

    /// Pulls newly attributed instances from the tracker (C-MOVE into an SCP of this process).
    func refresh() {
        guard case .tracker(let tracker) = lock.withLock({ destination }) else { return }
        lock.withLock {
            for record in requestRecords {
                guard let id = record.messageID else { continue }
                let (new, next) = tracker.instances(messageID: id, originators: originators, from: positions[id] ?? 0)
                positions[id] = next
                perRequest[id, default: 0] += new.count
                for instance in new { add(instance) }
            }
        }
    }

    /// Number of instances attributed to request `index` so far (nil when the destination cannot be
    /// observed request by request).
    func arrivedCount(request index: Int) -> Int? {
        refresh()
        return lock.withLock {
            switch destination {
            case .tracker: return requestRecords[index].messageID.flatMap { perRequest[$0] } ?? 0
            case .directory, .unobservable: return nil
            }
        }
    }

    /// For a destination observed by name: the expected instances now on disk.
    func scanDirectory() {
        guard case .directory(let directory, let fileExtension) = lock.withLock({ destination }) else { return }
        let wanted = lock.withLock { items.filter { !arrivedUIDs.contains($0.sopInstanceUID) } }
        for item in wanted {
            let path = (directory as NSString).appendingPathComponent("\(item.sopInstanceUID).\(fileExtension)")
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { continue }
            let instance = StoredInstance(
                path: path, sopClassUID: "", sopInstanceUID: item.sopInstanceUID,
                studyInstanceUID: item.studyInstanceUID, seriesInstanceUID: item.seriesInstanceUID,
                patientID: item.patientID, callingAETitle: "", bytes: (attributes[.size] as? Int) ?? 0,
                transferSyntaxUID: "")
            lock.withLock { add(instance) }
        }
    }

    /// Forgets the tracker's records of this session's requests (the retrieve has ended).
    func close() {
        refresh()
        guard case .tracker(let tracker) = lock.withLock({ destination }) else { return }
        for id in lock.withLock({ requestRecords.compactMap(\.messageID) }) { tracker.forget(messageID: id) }
    }

    // MARK: Read by anyone

    /// The instances attributed since the previous call (a callback's `info.files`); nil when the
    /// destination cannot be observed instance by instance (unobservable, or observed by name at the end).
    public func takeNewArrivals() -> [StoredInstance]? {
        refresh()
        return lock.withLock {
            switch destination {
            case .unobservable, .directory: return nil
            case .tracker: break
            }
            let new = Array(arrivals[reportedToCallback...])
            reportedToCallback = arrivals.count
            return new
        }
    }

    /// What is known now, judged by the rules of docs/lua-api.md.
    public var report: RetrieveReport {
        refresh()
        return lock.withLock {
            let observable: Bool
            switch destination {
            case .unobservable: observable = false
            case .tracker: observable = true
            case .directory: observable = !items.isEmpty || inventoryState != .notAsked
            }
            let judged = RetrieveVerdictRules.judge(
                cancelled: cancelledFlag, inventory: inventoryState, arrived: observable ? arrivedUIDs : nil,
                requests: requestRecords)
            var report = RetrieveReport(
                verdict: judged.verdict, message: judged.message, requests: requestRecords)
            report.status = requestRecords.last?.final?.status
            func sum(_ key: KeyPath<SubOperationCounts, UInt16?>) -> Int? {
                let values = requestRecords.compactMap { $0.lastCounts[keyPath: key] }
                return values.isEmpty ? nil : values.reduce(0) { $0 + Int($1) }
            }
            report.completed = sum(\.completed)
            report.failed = sum(\.failed)
            report.warning = sum(\.warning)
            report.remaining = sum(\.remaining)
            var named: [String] = []
            for uid in requestRecords.flatMap({ $0.final?.failedSOPInstanceUIDs ?? [] })
            where !arrivedUIDs.contains(uid) && !named.contains(uid) {
                named.append(uid)
            }
            report.failedUIDs = named
            report.arrived = observable ? arrivals : nil
            if case .listed(let uids) = inventoryState {
                report.expected = uids
                report.expectedCount = uids.count
            }
            report.missing = judged.missing
            report.attempts = Set(requestRecords.map(\.attempt)).count
            if requestRecords.isEmpty { report.attempts = 0 }
            return report
        }
    }

    /// Whether a cancel was recorded.
    public var isCancelled: Bool { lock.withLock { cancelledFlag } }

    /// The inventory's instances that have not arrived, grouped for IMAGE-level requests.
    func missingItems() -> [InventoryItem] {
        scanDirectory()
        refresh()
        return lock.withLock { items.filter { !arrivedUIDs.contains($0.sopInstanceUID) } }
    }

    /// Whether the destination is observed by name in a folder (this host's storage SCP service).
    var isObservedByName: Bool {
        lock.withLock {
            switch destination {
            case .directory: return true
            case .tracker, .unobservable: return false
            }
        }
    }

    /// Instances of the inventory found so far (for the settle wait with a destination observed by name).
    func arrivedTotal() -> Int { lock.withLock { arrivedUIDs.count } }
}

/// One instance the inventory listed, with what an IMAGE-level request for it needs.
public struct InventoryItem: Sendable, Equatable {
    public var patientID: String?
    public var studyInstanceUID: String
    public var seriesInstanceUID: String
    public var sopInstanceUID: String

    public init(patientID: String?, studyInstanceUID: String, seriesInstanceUID: String, sopInstanceUID: String) {
        self.patientID = patientID
        self.studyInstanceUID = studyInstanceUID
        self.seriesInstanceUID = seriesInstanceUID
        self.sopInstanceUID = sopInstanceUID
    }
}

extension RetrieveSession {
    /// Whether a retry round can tell what is missing: an inventory was listed and the destination is
    /// observable.
    var canRetry: Bool {
        let report = self.report
        return report.expectedCount != nil && report.arrived != nil
    }
}
