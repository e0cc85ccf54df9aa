import DICOMCore

/// Storage SOP classes the test Q/R SCP accepts by C-STORE and offers for C-GET (PS3.4 Table B.5-1,
/// the common image and document classes), and the transfer syntaxes it accepts for them: every syntax
/// DICOMCore knows, since files are stored and sent back byte for byte.
public enum StorageSOPClasses {
    public static let uids: [String] = [
        "1.2.840.10008.5.1.4.1.1.1",        // Computed Radiography Image
        "1.2.840.10008.5.1.4.1.1.1.1",      // Digital X-Ray Image - For Presentation
        "1.2.840.10008.5.1.4.1.1.1.1.1",    // Digital X-Ray Image - For Processing
        "1.2.840.10008.5.1.4.1.1.1.2",      // Digital Mammography X-Ray Image - For Presentation
        "1.2.840.10008.5.1.4.1.1.2",        // CT Image
        "1.2.840.10008.5.1.4.1.1.2.1",      // Enhanced CT Image
        "1.2.840.10008.5.1.4.1.1.3.1",      // Ultrasound Multi-frame Image
        "1.2.840.10008.5.1.4.1.1.4",        // MR Image
        "1.2.840.10008.5.1.4.1.1.4.1",      // Enhanced MR Image
        "1.2.840.10008.5.1.4.1.1.6.1",      // Ultrasound Image
        "1.2.840.10008.5.1.4.1.1.7",        // Secondary Capture Image
        "1.2.840.10008.5.1.4.1.1.7.2",      // Multi-frame Grayscale Byte SC Image
        "1.2.840.10008.5.1.4.1.1.7.3",      // Multi-frame Grayscale Word SC Image
        "1.2.840.10008.5.1.4.1.1.7.4",      // Multi-frame True Color SC Image
        "1.2.840.10008.5.1.4.1.1.12.1",     // X-Ray Angiographic Image
        "1.2.840.10008.5.1.4.1.1.20",       // Nuclear Medicine Image
        "1.2.840.10008.5.1.4.1.1.88.11",    // Basic Text SR
        "1.2.840.10008.5.1.4.1.1.88.22",    // Enhanced SR
        "1.2.840.10008.5.1.4.1.1.88.33",    // Comprehensive SR
        "1.2.840.10008.5.1.4.1.1.104.1",    // Encapsulated PDF
        "1.2.840.10008.5.1.4.1.1.128",      // Positron Emission Tomography Image
        "1.2.840.10008.5.1.4.1.1.481.1",    // RT Image
        "1.2.840.10008.5.1.4.1.1.481.2",    // RT Dose
        "1.2.840.10008.5.1.4.1.1.481.3",    // RT Structure Set
        "1.2.840.10008.5.1.4.1.1.481.5",    // RT Plan
    ]

    /// Accepted transfer syntaxes, by preference: Explicit VR LE, Implicit VR LE, then the others.
    public static var transferSyntaxes: [String] {
        let first = [TransferSyntax.explicitVRLittleEndian.uid, TransferSyntax.implicitVRLittleEndian.uid]
        return first + TransferSyntax.known.map(\.uid).filter { !first.contains($0) }
    }
}
