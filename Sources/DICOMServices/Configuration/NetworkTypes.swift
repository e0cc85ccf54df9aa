import DICOMNetwork

// The network-layer values a service's caller names in its settings and reports: re-exported here so that a
// binding (DICOMScripting) depends on the service layer only and converts these without importing the
// Upper Layer (docs/design.md "Layers").

/// TLS settings of an association (docs/lua-api.md "DICOM TLS"); defined with the transport in DICOMNetwork.
public typealias TLSSettings = DICOMNetwork.TLSSettings
/// A TLS profile of PS3.15 Annex B (BCP 195 and its non-downgrading variant).
public typealias TLSProfile = DICOMNetwork.TLSProfile
/// The checks of TLS settings before anything is opened (files present, a certificate where one is needed).
public typealias TLSSettingsValidation = DICOMNetwork.TLSSettingsValidation
/// Remaining, completed, failed and warning sub-operations of a C-MOVE/C-GET response (PS3.4 C.4.2.1.5).
public typealias SubOperationCounts = DICOMNetwork.SubOperationCounts
