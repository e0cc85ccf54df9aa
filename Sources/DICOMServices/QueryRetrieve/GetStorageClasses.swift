/// The storage SOP classes proposed with the SCP role for C-GET (PS3.4 C.4.3; role selection PS3.7
/// D.3.3.4), each with Explicit and Implicit VR Little Endian. A built-in list of the common classes
/// (PS3.4 Annex B.5); 9 Q/R contexts + these stay far below the 128-context limit.
public enum GetStorageClasses {
    public static let uids: [String] = [
        "1.2.840.10008.5.1.4.1.1.1",       // Computed Radiography
        "1.2.840.10008.5.1.4.1.1.1.1",     // Digital X-Ray For Presentation
        "1.2.840.10008.5.1.4.1.1.1.1.1",   // Digital X-Ray For Processing
        "1.2.840.10008.5.1.4.1.1.1.2",     // Digital Mammography For Presentation
        "1.2.840.10008.5.1.4.1.1.2",       // CT
        "1.2.840.10008.5.1.4.1.1.2.1",     // Enhanced CT
        "1.2.840.10008.5.1.4.1.1.3.1",     // Ultrasound Multi-frame
        "1.2.840.10008.5.1.4.1.1.4",       // MR
        "1.2.840.10008.5.1.4.1.1.4.1",     // Enhanced MR
        "1.2.840.10008.5.1.4.1.1.6.1",     // Ultrasound
        "1.2.840.10008.5.1.4.1.1.7",       // Secondary Capture
        "1.2.840.10008.5.1.4.1.1.7.2",     // Multi-frame Grayscale Byte SC
        "1.2.840.10008.5.1.4.1.1.7.4",     // Multi-frame True Color SC
        "1.2.840.10008.5.1.4.1.1.12.1",    // X-Ray Angiographic
        "1.2.840.10008.5.1.4.1.1.20",      // Nuclear Medicine
        "1.2.840.10008.5.1.4.1.1.128",     // PET
        "1.2.840.10008.5.1.4.1.1.481.1",   // RT Image
        "1.2.840.10008.5.1.4.1.1.481.2",   // RT Dose
        "1.2.840.10008.5.1.4.1.1.481.3",   // RT Structure Set
        "1.2.840.10008.5.1.4.1.1.481.5",   // RT Plan
        "1.2.840.10008.5.1.4.1.1.88.11",   // Basic Text SR
        "1.2.840.10008.5.1.4.1.1.88.22",   // Enhanced SR
        "1.2.840.10008.5.1.4.1.1.104.1",   // Encapsulated PDF
        "1.2.840.10008.5.1.4.1.1.66",      // Raw Data
    ]
}
