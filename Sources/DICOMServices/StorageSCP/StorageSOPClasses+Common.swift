/// The common image and document storage classes (PS3.4 Table B.5-1): what a C-GET proposes with the SCP role,
/// and what the test Q/R SCP offers for C-GET. The full list (`all`) has more classes than the 128 presentation
/// contexts an association can carry, so proposals use this subset.
extension StorageSOPClasses {
    public static let commonUIDs: [String] = [
        "1.2.840.10008.5.1.4.1.1.1",  // Computed Radiography Image
        "1.2.840.10008.5.1.4.1.1.1.1",  // Digital X-Ray Image - For Presentation
        "1.2.840.10008.5.1.4.1.1.1.1.1",  // Digital X-Ray Image - For Processing
        "1.2.840.10008.5.1.4.1.1.1.2",  // Digital Mammography X-Ray Image - For Presentation
        "1.2.840.10008.5.1.4.1.1.2",  // CT Image
        "1.2.840.10008.5.1.4.1.1.2.1",  // Enhanced CT Image
        "1.2.840.10008.5.1.4.1.1.3.1",  // Ultrasound Multi-frame Image
        "1.2.840.10008.5.1.4.1.1.4",  // MR Image
        "1.2.840.10008.5.1.4.1.1.4.1",  // Enhanced MR Image
        "1.2.840.10008.5.1.4.1.1.6.1",  // Ultrasound Image
        "1.2.840.10008.5.1.4.1.1.7",  // Secondary Capture Image
        "1.2.840.10008.5.1.4.1.1.7.2",  // Multi-frame Grayscale Byte SC Image
        "1.2.840.10008.5.1.4.1.1.7.3",  // Multi-frame Grayscale Word SC Image
        "1.2.840.10008.5.1.4.1.1.7.4",  // Multi-frame True Color SC Image
        "1.2.840.10008.5.1.4.1.1.12.1",  // X-Ray Angiographic Image
        "1.2.840.10008.5.1.4.1.1.20",  // Nuclear Medicine Image
        "1.2.840.10008.5.1.4.1.1.88.11",  // Basic Text SR
        "1.2.840.10008.5.1.4.1.1.88.22",  // Enhanced SR
        "1.2.840.10008.5.1.4.1.1.88.33",  // Comprehensive SR
        "1.2.840.10008.5.1.4.1.1.104.1",  // Encapsulated PDF
        "1.2.840.10008.5.1.4.1.1.128",  // Positron Emission Tomography Image
        "1.2.840.10008.5.1.4.1.1.481.1",  // RT Image
        "1.2.840.10008.5.1.4.1.1.481.2",  // RT Dose
        "1.2.840.10008.5.1.4.1.1.481.3",  // RT Structure Set
        "1.2.840.10008.5.1.4.1.1.481.5",  // RT Plan
    ]
}
