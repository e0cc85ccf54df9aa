import DICOMNetwork

/// One application entity of a configuration: IDL's `IDLFFDICOMEXCFGAE` structure (reference §1.5).
///
/// A value of this type is always valid: the only public way to make one is the throwing initialiser,
/// which checks every field (see `ApplicationEntityValidation.swift` for the rules and limits).
public struct ApplicationEntity: Equatable, Hashable, Sendable {
    /// The local, unique, descriptive name (`APPLENTITYNAME`), the key in the file. 1–30 characters.
    public let name: String
    /// The DICOM AE title (`AET`, PS3.5 §6.2 VR AE): 1–16 characters of the default repertoire,
    /// no backslash, no control characters, not all spaces. Stored without leading/trailing spaces.
    public let aeTitle: String
    /// Host name or IP address (`HOSTNAME`). 1–255 characters, no whitespace or control characters.
    public let hostname: String
    /// TCP port (`PORT`), 1–65535. SCPs listen on it; for SCU entries it is informative (IDL uses 9999).
    public let port: Int
    public let serviceList: ServiceList
    public let serviceType: ServiceType
    /// DICOM TLS settings (docs/lua-api.md "DICOM TLS"): connecting to this AE, or listening as it, uses TLS
    /// with them. nil: plain TCP. Set with `Configuration.setTLS`; `set_application_entity` keeps them.
    public internal(set) var tls: TLSSettings? = nil

    /// Makes a checked application entity. `method` names the API method in error messages.
    public init(
        name: String, aeTitle: String, hostname: String, port: Int,
        serviceList: ServiceList, serviceType: ServiceType,
        method: String = "set_application_entity"
    ) throws {
        self.name = try ApplicationEntityValidation.checkName(name, method: method)
        self.aeTitle = try ApplicationEntityValidation.checkAETitle(aeTitle, method: method)
        self.hostname = try ApplicationEntityValidation.checkHostname(hostname, method: method)
        self.port = try ApplicationEntityValidation.checkPort(port, method: method)
        guard serviceList.serviceType == serviceType else {
            throw ConfigurationError(
                method,
                "service list \(serviceList.rawValue) goes with service type "
                    + "\(serviceList.serviceType.rawValue), got \(serviceType.rawValue)")
        }
        self.serviceList = serviceList
        self.serviceType = serviceType
    }

    /// Makes a checked application entity from the loosely typed values a script passes to
    /// `set_application_entity`: the port as a number or a numeric string, the service list and type by
    /// name, case-insensitively (as IDL accepts both spellings of the port, reference §1.5).
    public init(
        name: String, aeTitle: String, hostname: String, port: String,
        serviceList: String, serviceType: String,
        method: String = "set_application_entity"
    ) throws {
        let portNumber = try ApplicationEntityValidation.parsePort(port, method: method)
        guard let list = ServiceList(named: serviceList) else {
            throw ConfigurationError(
                method,
                "service list must be one of \(ServiceList.names.joined(separator: ", ")), "
                    + "got \(quoted(serviceList))")
        }
        guard let type = ServiceType(named: serviceType) else {
            throw ConfigurationError(
                method,
                "service type must be one of \(ServiceType.names.joined(separator: ", ")), "
                    + "got \(quoted(serviceType))")
        }
        try self.init(
            name: name, aeTitle: aeTitle, hostname: hostname, port: portNumber,
            serviceList: list, serviceType: type, method: method)
    }
}

/// A string in double quotes with control characters made visible, for error messages.
func quoted(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        if scalar.value < 0x20 || scalar.value == 0x7F {
            out += "\\x" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16, uppercase: true)
        } else {
            out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}
