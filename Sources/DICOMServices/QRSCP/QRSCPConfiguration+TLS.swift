import DICOMNetwork

/// The association settings of the test Q/R SCP, with DICOM TLS when it has TLS settings
/// (docs/lua-api.md "DICOM TLS").
extension QRSCPConfiguration {
    /// For the associations it accepts: TLS with `tls` when set; failed handshakes go to `log`.
    func serverAssociationConfiguration() throws -> AssociationConfiguration {
        var association = AssociationConfiguration(maximumPDULength: maximumPDULength)
        if let tls {
            association.transportSecurity = try TransportSecurity(settings: tls, role: .acceptor)
            let log = self.log
            association.transportSecurity?.failureReporter = { log("qrscp: \($0)") }
        }
        return association
    }

    /// For a C-MOVE sub-association to `destination`: TLS with our own settings when it is a `tls` one.
    func subAssociationConfiguration(for destination: MoveDestination) throws -> AssociationConfiguration {
        var association = AssociationConfiguration(maximumPDULength: maximumPDULength)
        if destination.tls {
            guard let tls else {
                throw TLSSettingsError("the destination wants TLS but the SCP has no TLS settings (--tls-cert)")
            }
            association.transportSecurity = try TransportSecurity(settings: tls, role: .requestor)
        }
        return association
    }
}
