/// The service type of an application entity (IDL `IDLffDicomExCfg::GetServiceTypes`, reference §1.6).
/// Declaration order is IDL's documented order: `Query_SCU, Query_SCP, Storage_SCU, Storage_SCP, Echo_SCU`.
public enum ServiceType: String, CaseIterable, Sendable {
    case querySCU = "Query_SCU"
    case querySCP = "Query_SCP"
    case storageSCU = "Storage_SCU"
    case storageSCP = "Storage_SCP"
    case echoSCU = "Echo_SCU"

    /// The one service list that goes with this type.
    public var serviceList: ServiceList {
        switch self {
        case .querySCU: return .querySCU
        case .querySCP: return .querySCP
        case .storageSCU: return .storageSCU
        case .storageSCP: return .storageSCP
        case .echoSCU: return .echoSCU
        }
    }

    /// Looks a type up by name, ignoring case (`storage_scp` finds `Storage_SCP`).
    public init?(named name: String) {
        guard let match = Self.allCases.first(where: { $0.rawValue.lowercased() == name.lowercased() }) else {
            return nil
        }
        self = match
    }

    /// The names in IDL's order, as `get_service_types()` returns them.
    public static var names: [String] { allCases.map(\.rawValue) }
}

/// The service list of an application entity (IDL `IDLffDicomExCfg::GetServiceLists`, reference §1.6).
/// Declaration order is IDL's documented order.
public enum ServiceList: String, CaseIterable, Sendable {
    case echoSCU = "Echo_SCU_Service_List"
    case storageSCP = "Storage_SCP_Service_List"
    case storageSCU = "Storage_SCU_Service_List"
    case querySCU = "Query_SCU_Service_List"
    case querySCP = "Query_SCP_Service_List"

    /// The one service type that goes with this list.
    public var serviceType: ServiceType {
        switch self {
        case .echoSCU: return .echoSCU
        case .storageSCP: return .storageSCP
        case .storageSCU: return .storageSCU
        case .querySCU: return .querySCU
        case .querySCP: return .querySCP
        }
    }

    /// Looks a list up by name, ignoring case.
    public init?(named name: String) {
        guard let match = Self.allCases.first(where: { $0.rawValue.lowercased() == name.lowercased() }) else {
            return nil
        }
        self = match
    }

    /// The names in IDL's order, as `get_service_lists()` returns them.
    public static var names: [String] { allCases.map(\.rawValue) }
}
