/// (0000,0700) Priority of a C-STORE, C-FIND, C-MOVE or C-GET request (PS3.7 §9.3.1.1, Table 9.3-1;
/// DCMTK `dimse.h` `DIMSE_PRIORITY_*`).
public enum DIMSEPriority: UInt16, Sendable, CaseIterable {
    case medium = 0x0000
    case high = 0x0001
    case low = 0x0002
}
