import DICOMCore
import Foundation

/// Writes synthetic but valid CT and MR instances (Part 10, Explicit VR Little Endian, DICOMCore's writer)
/// as `DIR/<patient ID>/<study n>/<series n>/<instance n>.dcm`: a consistent patient/study/series hierarchy,
/// Latin-1 names (Specific Character Set ISO_IR 100), birth dates, study dates and times, descriptions,
/// accession numbers, one modality per series and a 16-bit gradient image. UIDs come from `UIDGenerator`;
/// patient IDs, names and dates are deterministic (PAT0001 is always `Müller^Jürgen`).
public enum SampleDataGenerator {
    static let familyNames = [
        "Müller", "Søren", "Dupré", "Núñez", "Åberg", "Köhler", "Øvergård", "Lefèvre", "García", "Brontë",
    ]
    static let givenNames = ["Jürgen", "Ånne", "Zoë", "José", "Björn", "Hélène", "François", "Inés", "Màrta", "René"]
    static let ctImageStorage = "1.2.840.10008.5.1.4.1.1.2"
    static let mrImageStorage = "1.2.840.10008.5.1.4.1.1.4"

    /// The patient name of patient `number` (1-based): family^given, Latin-1.
    public static func patientName(_ number: Int) -> String {
        let i = number - 1
        return familyNames[i % familyNames.count] + "^" + givenNames[(i / familyNames.count + i) % givenNames.count]
    }

    public static func patientID(_ number: Int) -> String { String(format: "PAT%04d", number) }

    public static func generate(into directory: String, options: SampleDataOptions) throws -> SampleDataSummary {
        try options.validate()
        var summary = SampleDataSummary(
            patients: 0, studies: 0, series: 0, instances: 0, bytes: 0, directory: directory)
        for p in 1...options.patients {
            summary.patients += 1
            for s in 1...options.studies {
                summary.studies += 1
                let study = StudyInfo(patient: p, number: s)
                for r in 1...options.series {
                    summary.series += 1
                    let seriesUID = UIDGenerator.make()
                    let folder = URL(fileURLWithPath: directory)
                        .appendingPathComponent(patientID(p))
                        .appendingPathComponent(String(format: "study%02d", s))
                        .appendingPathComponent(String(format: "series%02d", r))
                    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                    for i in 1...options.instances {
                        let dataSet = try instance(
                            study: study, seriesNumber: r, seriesUID: seriesUID, instanceNumber: i,
                            rows: options.rows)
                        let path = folder.appendingPathComponent(String(format: "%04d.dcm", i)).path
                        try DICOMFile(
                            dataSet: dataSet, transferSyntax: .explicitVRLittleEndian,
                            sourceApplicationEntityTitle: "DICOMLUA"
                        ).write(to: path)
                        summary.instances += 1
                        summary.bytes += (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
                    }
                }
            }
        }
        return summary
    }

    /// Study-level values, shared by every instance of the study.
    struct StudyInfo {
        let patient: Int
        let number: Int
        let uid = UIDGenerator.make()
        var date: String {
            // 2024-01-01 + (patient*37 + number*11) days, formatted YYYYMMDD.
            var components = DateComponents()
            components.year = 2024
            components.month = 1
            components.day = 1 + patient * 37 + number * 11
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            let date = calendar.date(from: components)!
            let c = calendar.dateComponents([.year, .month, .day], from: date)
            return String(format: "%04d%02d%02d", c.year!, c.month!, c.day!)
        }
        var time: String {
            String(format: "%02d%02d%02d", 8 + (patient + number) % 10, (patient * 7) % 60, (number * 13) % 60)
        }
        var accessionNumber: String { String(format: "ACC%04d%02d", patient, number) }
        var birthDate: String {
            String(format: "%04d%02d%02d", 1940 + (patient * 7) % 60, 1 + patient % 12, 1 + patient % 28)
        }
    }

    static func modality(ofSeries number: Int) -> String { number % 2 == 1 ? "CT" : "MR" }

    static func instance(
        study: StudyInfo, seriesNumber: Int, seriesUID: String, instanceNumber: Int, rows: Int
    ) throws -> DataSet {
        let modality = modality(ofSeries: seriesNumber)
        var ds = DataSet()
        try ds.set(Tag.specificCharacterSet, string: "ISO_IR 100", vr: .CS)
        try ds.set(Tag(0x0008, 0x0008), strings: ["ORIGINAL", "PRIMARY", "AXIAL"], vr: .CS)
        try ds.set(Tag.sopClassUID, string: modality == "CT" ? ctImageStorage : mrImageStorage, vr: .UI)
        try ds.set(Tag.sopInstanceUID, string: UIDGenerator.make(), vr: .UI)
        try ds.set(Tag(0x0008, 0x0020), string: study.date, vr: .DA)
        try ds.set(Tag(0x0008, 0x0021), string: study.date, vr: .DA)
        try ds.set(Tag(0x0008, 0x0030), string: study.time, vr: .TM)
        try ds.set(Tag(0x0008, 0x0031), string: study.time, vr: .TM)
        try ds.set(Tag(0x0008, 0x0050), string: study.accessionNumber, vr: .SH)
        try ds.set(Tag(0x0008, 0x0060), string: modality, vr: .CS)
        try ds.set(Tag(0x0008, 0x0070), string: "dicomlua sample-data", vr: .LO)
        try ds.set(Tag(0x0008, 0x0090), string: "Referring^Doctor", vr: .PN)
        try ds.set(
            Tag(0x0008, 0x1030), string: "Synthetic \(modality == "CT" ? "chest" : "head") study \(study.number)",
            vr: .LO)
        try ds.set(Tag(0x0008, 0x103E), string: "\(modality) series \(seriesNumber)", vr: .LO)
        try ds.set(Tag(0x0010, 0x0010), string: patientName(study.patient), vr: .PN)
        try ds.set(Tag(0x0010, 0x0020), string: patientID(study.patient), vr: .LO)
        try ds.set(Tag(0x0010, 0x0030), string: study.birthDate, vr: .DA)
        try ds.set(Tag(0x0010, 0x0040), string: study.patient % 2 == 1 ? "M" : "F", vr: .CS)
        if modality == "CT" {
            try ds.set(Tag(0x0018, 0x0050), string: "2.5", vr: .DS)  // Slice Thickness
            try ds.set(Tag(0x0018, 0x0060), string: "120", vr: .DS)  // KVP
        } else {
            try ds.set(Tag(0x0018, 0x0020), string: "SE", vr: .CS)  // Scanning Sequence
            try ds.set(Tag(0x0018, 0x0021), string: "NONE", vr: .CS)  // Sequence Variant
            try ds.set(Tag(0x0018, 0x0022), string: "", vr: .CS)  // Scan Options
            try ds.set(Tag(0x0018, 0x0023), string: "2D", vr: .CS)  // MR Acquisition Type
            try ds.set(Tag(0x0018, 0x0050), string: "5", vr: .DS)
            try ds.set(Tag(0x0018, 0x0081), string: "20", vr: .DS)  // Echo Time
            try ds.set(Tag(0x0018, 0x0091), string: "1", vr: .IS)  // Echo Train Length
            try ds.set(Tag(0x0018, 0x0080), string: "500", vr: .DS)  // Repetition Time
        }
        try ds.set(Tag(0x0020, 0x000D), string: study.uid, vr: .UI)
        try ds.set(Tag(0x0020, 0x000E), string: seriesUID, vr: .UI)
        try ds.set(Tag(0x0020, 0x0010), string: String(study.number), vr: .SH)
        try ds.set(Tag(0x0020, 0x0011), int: seriesNumber, vr: .IS)
        try ds.set(Tag(0x0020, 0x0013), int: instanceNumber, vr: .IS)
        try ds.set(Tag(0x0020, 0x0032), strings: ["0", "0", String(instanceNumber * 5)], vr: .DS)
        try ds.set(Tag(0x0020, 0x0037), strings: ["1", "0", "0", "0", "1", "0"], vr: .DS)
        try ds.set(Tag(0x0020, 0x0052), string: study.uid + ".1", vr: .UI)  // Frame of Reference UID
        try ds.set(Tag(0x0020, 0x1041), string: String(instanceNumber * 5), vr: .DS)
        try ds.set(Tag(0x0028, 0x0002), int: 1, vr: .US)
        try ds.set(Tag(0x0028, 0x0004), string: "MONOCHROME2", vr: .CS)
        try ds.set(Tag(0x0028, 0x0010), int: rows, vr: .US)
        try ds.set(Tag(0x0028, 0x0011), int: rows, vr: .US)
        try ds.set(Tag(0x0028, 0x0030), strings: ["0.5", "0.5"], vr: .DS)
        try ds.set(Tag(0x0028, 0x0100), int: 16, vr: .US)
        try ds.set(Tag(0x0028, 0x0101), int: 12, vr: .US)
        try ds.set(Tag(0x0028, 0x0102), int: 11, vr: .US)
        try ds.set(Tag(0x0028, 0x0103), int: 0, vr: .US)
        try ds.set(Tag(0x0028, 0x1050), string: "2048", vr: .DS)
        try ds.set(Tag(0x0028, 0x1051), string: "4096", vr: .DS)
        if modality == "CT" {
            try ds.set(Tag(0x0028, 0x1052), string: "-1024", vr: .DS)  // Rescale Intercept
            try ds.set(Tag(0x0028, 0x1053), string: "1", vr: .DS)  // Rescale Slope
        }
        ds.set(Tag.pixelData, bytes: gradient(rows: rows, phase: instanceNumber), vr: .OW)
        return ds
    }

    /// A diagonal 12-bit gradient, little endian, shifted by `phase` so instances differ.
    static func gradient(rows: Int, phase: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: rows * rows * 2)
        for y in 0..<rows {
            for x in 0..<rows {
                let value = UInt16(((x + y + phase * 4) * 4095) / max(1, 2 * rows - 2 + phase * 4)) & 0x0FFF
                let i = (y * rows + x) * 2
                bytes[i] = UInt8(value & 0xFF)
                bytes[i + 1] = UInt8(value >> 8)
            }
        }
        return bytes
    }
}
