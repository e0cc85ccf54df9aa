/// C-GET-RQ (PS3.7 §9.3.3.1): the identifier always follows; the SCP sends the matches as C-STORE
/// sub-operations on the same association (PS3.4 C.4.3).
public typealias CGetRQ = IdentifierRQ<CGet>
