import DICOMCore
import TestSupport
import XCTest

@testable import DICOMServices

/// Every model/level row of IDL's interaction table: our query returns the same matches as
/// `/usr/bin/findscu` sent the same identifier.
final class QueryFindscuComparisonTests: XCTestCase {
    func testEveryModelAndLevelMatchesFindscu() async throws {
        try XCTSkipUnless(dcmtkAvailable, "DCMTK is not installed")
        let peer = try QRTestPeer()
        defer { peer.stop() }
        let configuration = try QRTestConfiguration.make(peer: peer)
        let first = peer.instances[0]
        let rows: [(IDLQueryModel, IDLQueryLevel, [QueryField: String])] = [
            (.patientRoot, .patient, [:]),
            (.patientRoot, .study, [:]),
            (.patientRoot, .series, [.patientID: first.patientID, .studyInstanceUID: first.studyUID]),
            (
                .patientRoot, .image,
                [.patientID: first.patientID, .studyInstanceUID: first.studyUID, .seriesInstanceUID: first.seriesUID]
            ),
            (.studyRoot, .study, [.patientName: "*"]),
            (.studyRoot, .series, [.studyInstanceUID: first.studyUID]),
            (.studyRoot, .image, [.studyInstanceUID: first.studyUID, .seriesInstanceUID: first.seriesUID]),
            (.patientStudyOnly, .study, [.patientID: "P*"]),
        ]
        for (model, level, values) in rows {
            let parameters = QueryParameters(model: model, level: level, values: values)
            let outcome = try await QueryService.query(parameters, queryAE: "remote_qr", configuration: configuration)
            XCTAssertNil(outcome.failure, "\(model) / \(level)")
            let key = uniqueKey(level)
            let ours = Set(outcome.results.map { $0[key.name] })
            let theirs = try findscu(parameters, model: model, port: peer.qrPort, key: key.tag)
            XCTAssertFalse(ours.isEmpty, "\(model) / \(level)")
            XCTAssertEqual(ours, theirs, "\(model) / \(level)")
        }
    }

    func uniqueKey(_ level: IDLQueryLevel) -> (name: String, tag: String) {
        switch level {
        case .patient: return ("patient_id", "(0010,0020)")
        case .study: return ("study_instance_uid", "(0020,000d)")
        case .series: return ("series_instance_uid", "(0020,000e)")
        case .image: return ("sop_instance_uid", "(0008,0018)")
        }
    }

    /// Runs findscu with our identifier's elements as `-k` keys and collects the values of `key`.
    func findscu(_ parameters: QueryParameters, model: IDLQueryModel, port: Int, key: String) throws -> Set<String> {
        var arguments = [model == .patientRoot ? "-P" : model == .studyRoot ? "-S" : "-O", "-aec", "QRSCP"]
        for element in try parameters.findIdentifier() {
            let tag = String(format: "%04x,%04x", element.tag.group, element.tag.element)
            let value = try parameters.findIdentifier().strings(element.tag)?.joined(separator: "\\") ?? ""
            arguments += ["-k", value.isEmpty ? tag : "\(tag)=\(value)"]
        }
        let run = try ChildProcess.run(dcmtk("findscu"), arguments + ["127.0.0.1", "\(port)"], timeout: 30)
        XCTAssertEqual(run.status, 0, run.stderr)
        var values = Set<String>()
        for line in (run.stdout + run.stderr).split(separator: "\n") where line.contains(key) {
            guard let open = line.firstIndex(of: "["), let close = line.firstIndex(of: "]") else { continue }
            values.insert(
                line[line.index(after: open)..<close].trimmingCharacters(in: CharacterSet(charactersIn: " \u{0}")))
        }
        return values
    }
}
