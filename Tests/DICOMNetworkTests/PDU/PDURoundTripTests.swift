import NIOCore
import XCTest

@testable import DICOMNetwork

/// Every PDU type and user information sub-item survives encode → parse unchanged.
final class PDURoundTripTests: XCTestCase {
    private func roundTrip(_ value: PDU, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(try PDUParser.parse(bytes: encode(value)), value, file: file, line: line)
    }

    func testAssociateRQWithEveryUserInformationSubItemRoundTrips() throws {
        let info = UserInformation(
            maximumLength: 131_072, implementationClassUID: UpperLayerConstants.implementationClassUID,
            asynchronousOperationsWindow: AsynchronousOperationsWindow(
                maximumOperationsInvoked: 1, maximumOperationsPerformed: 1),
            roleSelections: [RoleSelection(sopClassUID: "1.2.840.10008.5.1.4.1.1.2", scuRole: false, scpRole: true)],
            implementationVersionName: UpperLayerConstants.implementationVersionName,
            extendedNegotiations: [
                ExtendedNegotiation(sopClassUID: "1.2.840.10008.5.1.4.1.2.2.1", applicationInformation: [1, 1, 0])
            ],
            unknownSubItems: [UnknownSubItem(type: 0x58, body: [1, 0, 0, 4, 0x41, 0x42, 0x43, 0x44, 0, 0])])
        let contexts = (0..<128).map { i in
            PresentationContextProposal(
                id: UInt8(2 * i + 1), abstractSyntax: "1.2.840.10008.5.1.4.1.1.\(i)",
                transferSyntaxes: TransferSyntaxUID.uncompressed)
        }
        try roundTrip(
            .associateRQ(
                AssociateRQ(
                    calledAETitle: "STORESCP", callingAETitle: "DICOMLUA",
                    presentationContexts: contexts, userInformation: info)))
    }

    func testAssociateACRoundTrips() throws {
        try roundTrip(
            .associateAC(
                AssociateAC(
                    calledAETitle: "A", callingAETitle: "B",
                    presentationContexts: [
                        PresentationContextResult(id: 1, result: .acceptance, transferSyntax: "1.2.840.10008.1.2.1"),
                        PresentationContextResult(id: 3, result: .transferSyntaxesNotSupported, transferSyntax: ""),
                    ],
                    userInformation: UserInformation(maximumLength: 16384))))
    }

    func testFixedLengthPDUsRoundTrip() throws {
        try roundTrip(.associateRJ(.localLimitExceeded))
        try roundTrip(.releaseRQ)
        try roundTrip(.releaseRP)
        try roundTrip(.abort(.serviceUser))
        try roundTrip(.abort(AbortPDU(source: .serviceProvider, reason: .unexpectedPDU)))
    }

    func testPDataWithEmptyAndLargeFragmentsRoundTrips() throws {
        let large = ByteBuffer(bytes: (0..<70_000).map { UInt8(truncatingIfNeeded: $0) })
        try roundTrip(
            .dataTF([
                PresentationDataValue(contextID: 255, isCommand: false, isLastFragment: true, data: ByteBuffer()),
                PresentationDataValue(contextID: 3, isCommand: false, isLastFragment: false, data: large),
            ]))
    }

    func testAETitlesLongerThan16AreTruncatedOnTheWire() throws {
        let rq = AssociateRQ(
            calledAETitle: "ABCDEFGHIJKLMNOPQRS", callingAETitle: "X",
            presentationContexts: [
                PresentationContextProposal(id: 1, abstractSyntax: "1.2", transferSyntaxes: ["1.2.3"])
            ],
            userInformation: UserInformation())
        guard case .associateRQ(let parsed) = try PDUParser.parse(bytes: encode(.associateRQ(rq))) else {
            return XCTFail()
        }
        XCTAssertEqual(parsed.calledAETitle, "ABCDEFGHIJKLMNOP")
    }
}
