import XCTest

@testable import DICOMNetwork

/// A-ASSOCIATE negotiation as a user would notice it: which contexts are usable, with which transfer
/// syntax and roles, which RJ reason a refused peer sees, and the PDU sizes used.
final class NegotiationTests: XCTestCase {
    let ct = "1.2.840.10008.5.1.4.1.1.2"
    let mr = "1.2.840.10008.5.1.4.1.1.4"
    let getStudyRoot = "1.2.840.10008.5.1.4.1.2.2.3"
    let jpegBaseline = "1.2.840.10008.1.2.4.50"

    func request(
        _ contexts: [ProposedPresentationContext], calling: String = "SCU", called: String = "SCP",
        maximumPDULength: Int = 16384
    ) throws -> AssociateRQ {
        try AssociationRequestor.makeRequest(
            callingAETitle: calling, calledAETitle: called, contexts: contexts,
            maximumPDULength: maximumPDULength)
    }

    func policy(calledAETitle: String? = "SCP", allowed: Set<String>? = nil) -> AcceptancePolicy {
        AcceptancePolicy(
            calledAETitle: calledAETitle, allowedCallingAETitles: allowed,
            supportedAbstractSyntaxes: [
                AcceptancePolicy.verificationSOPClassUID: [TransferSyntaxUID.implicitVRLittleEndian],
                ct: TransferSyntaxUID.uncompressed, getStudyRoot: [TransferSyntaxUID.implicitVRLittleEndian],
            ],
            requestorSCPRoleAbstractSyntaxes: [ct], maximumPDULength: 65536)
    }

    func testRequestCarriesOddIDsOurIdentityAndMaximumLength() throws {
        let rq = try request([
            ProposedPresentationContext(abstractSyntax: ct, transferSyntaxes: TransferSyntaxUID.uncompressed),
            ProposedPresentationContext(abstractSyntax: mr, transferSyntaxes: TransferSyntaxUID.uncompressed),
        ])
        XCTAssertEqual(rq.presentationContexts.map(\.id), [1, 3])
        XCTAssertEqual(rq.userInformation.maximumLength, 16384)
        XCTAssertEqual(rq.userInformation.implementationClassUID, "2.25.267651663169728077386618025833191658895")
        XCTAssertEqual(rq.userInformation.implementationVersionName, "DICOMLUA_0.1")
        XCTAssertEqual(rq.applicationContextName, "1.2.840.10008.3.1.1.1")
    }

    func testRequestRefusesZeroMaximumLengthAndTooManyContexts() {
        let one = [ProposedPresentationContext(abstractSyntax: ct, transferSyntaxes: ["1.2.840.10008.1.2"])]
        XCTAssertThrowsError(try request(one, maximumPDULength: 0))
        XCTAssertThrowsError(try request(Array(repeating: one[0], count: 129)))
        XCTAssertThrowsError(try request([]))
        XCTAssertThrowsError(try request(one, calling: "")) { error in
            XCTAssertTrue("\(error)".contains("AE title"), "\(error)")
        }
        XCTAssertThrowsError(try request(one, called: "SEVENTEEN-CHARS-X"))
        XCTAssertThrowsError(try request(one, called: "BACK\\SLASH"))
    }

    func testAcceptorPicksItsPreferredTransferSyntaxAndAnswersEveryContext() throws {
        let rq = try request([
            ProposedPresentationContext(
                abstractSyntax: ct,
                transferSyntaxes: [TransferSyntaxUID.implicitVRLittleEndian, TransferSyntaxUID.explicitVRLittleEndian]),
            ProposedPresentationContext(abstractSyntax: mr, transferSyntaxes: TransferSyntaxUID.uncompressed),
            ProposedPresentationContext(abstractSyntax: ct, transferSyntaxes: [jpegBaseline]),
            ProposedPresentationContext(
                abstractSyntax: ct, transferSyntaxes: [TransferSyntaxUID.implicitVRLittleEndian]),
        ])
        guard case .accept(let ac, let negotiated) = AssociationAcceptor.decide(request: rq, policy: policy()) else {
            return XCTFail("rejected")
        }
        XCTAssertEqual(ac.presentationContexts.map(\.result), [0, 3, 4, 0])
        XCTAssertEqual(
            ac.presentationContexts[0].transferSyntax, TransferSyntaxUID.explicitVRLittleEndian, "our preference wins")
        XCTAssertEqual(negotiated.acceptedContexts[7]?.transferSyntax, TransferSyntaxUID.implicitVRLittleEndian)
        XCTAssertEqual(negotiated.rejectedContexts, [3: .abstractSyntaxNotSupported, 5: .transferSyntaxesNotSupported])
        XCTAssertEqual(ac.userInformation.maximumLength, 65536)
        XCTAssertEqual(negotiated.maximumPDULengthToSend, 16384)
    }

    func testCalledAETitleMismatchIsRejected117() throws {
        let rq = try request(
            [ProposedPresentationContext(abstractSyntax: ct, transferSyntaxes: ["1.2.840.10008.1.2"])], called: "OTHER")
        XCTAssertEqual(
            AssociationAcceptor.decide(request: rq, policy: policy()),
            .reject(AssociateRJ(result: 1, source: 1, reason: 7)))
    }

    func testUnknownCallingAETitleIsRejected113() throws {
        let rq = try request(
            [ProposedPresentationContext(abstractSyntax: ct, transferSyntaxes: ["1.2.840.10008.1.2"])],
            calling: "STRANGER")
        XCTAssertEqual(
            AssociationAcceptor.decide(request: rq, policy: policy(allowed: ["FRIEND"])),
            .reject(AssociateRJ(result: 1, source: 1, reason: 3)))
    }

    func testWrongApplicationContextIsRejected112() throws {
        var rq = try request([ProposedPresentationContext(abstractSyntax: ct, transferSyntaxes: ["1.2.840.10008.1.2"])])
        rq.applicationContextName = "1.2.3"
        XCTAssertEqual(
            AssociationAcceptor.decide(request: rq, policy: policy()), .reject(.applicationContextNameNotSupported))
    }

    func testRejectionTextsFollowTheStandard() {
        XCTAssertEqual(
            AssociateRJ.localLimitExceeded.description,
            "rejected-transient, DICOM UL service-provider (presentation related function), local-limit-exceeded (2/3/2)"
        )
        XCTAssertTrue(AssociateRJ.callingAETitleNotRecognized.description.contains("calling-AE-title-not-recognized"))
    }

    /// C-GET SCU: asks for SCP role on a storage class; the acceptor grants it for storage classes only.
    func testSCPRoleIsGrantedForStorageClassesOnly() throws {
        let rq = try request([
            ProposedPresentationContext(abstractSyntax: getStudyRoot, transferSyntaxes: ["1.2.840.10008.1.2"]),
            ProposedPresentationContext(abstractSyntax: ct, transferSyntaxes: ["1.2.840.10008.1.2"], role: .scuAndSCP),
        ])
        XCTAssertEqual(
            rq.userInformation.roleSelections, [RoleSelection(sopClassUID: ct, scuRole: true, scpRole: true)])
        guard case .accept(let ac, let acceptorView) = AssociationAcceptor.decide(request: rq, policy: policy()) else {
            return XCTFail("rejected")
        }
        XCTAssertEqual(acceptorView.acceptedContexts[3]?.requestorIsSCP, true)
        XCTAssertEqual(
            ac.userInformation.roleSelections, [RoleSelection(sopClassUID: ct, scuRole: true, scpRole: true)])
        let requestorView = try AssociationRequestor.negotiate(request: rq, accept: ac)
        XCTAssertEqual(requestorView.acceptedContexts[3]?.requestorIsSCP, true)
        XCTAssertEqual(requestorView.acceptedContexts[1]?.requestorIsSCP, false)

        var strict = policy()
        strict.requestorSCPRoleAbstractSyntaxes = []
        guard case .accept(let refusedRole, _) = AssociationAcceptor.decide(request: rq, policy: strict) else {
            return XCTFail()
        }
        XCTAssertEqual(
            try AssociationRequestor.negotiate(request: rq, accept: refusedRole).acceptedContexts[3]?.requestorIsSCP,
            false)
    }

    /// A peer advertising max length 0 (unlimited) gets our own 128 KiB cap; a tiny one is raised.
    func testPeerMaximumLengthZeroMeansOurCap() throws {
        let rq = try request([ProposedPresentationContext(abstractSyntax: ct, transferSyntaxes: ["1.2.840.10008.1.2"])])
        var ac = AssociateAC(
            calledAETitle: "SCP", callingAETitle: "SCU",
            presentationContexts: [
                PresentationContextResult(id: 1, result: .acceptance, transferSyntax: "1.2.840.10008.1.2")
            ],
            userInformation: UserInformation(
                maximumLength: 0, implementationClassUID: "1.2.3", implementationVersionName: "PEER"))
        let negotiated = try AssociationRequestor.negotiate(request: rq, accept: ac)
        XCTAssertEqual(negotiated.maximumPDULengthToSend, 131_072)
        XCTAssertEqual(negotiated.peerImplementationClassUID, "1.2.3")
        XCTAssertEqual(negotiated.peerImplementationVersionName, "PEER")
        ac.userInformation.maximumLength = 16
        XCTAssertEqual(try AssociationRequestor.negotiate(request: rq, accept: ac).maximumPDULengthToSend, 1024)
    }

    /// An AC that accepts a transfer syntax we never proposed does not make the context usable.
    func testAcceptedTransferSyntaxWeDidNotProposeIsNotUsable() throws {
        let rq = try request([
            ProposedPresentationContext(abstractSyntax: ct, transferSyntaxes: ["1.2.840.10008.1.2"]),
            ProposedPresentationContext(abstractSyntax: mr, transferSyntaxes: ["1.2.840.10008.1.2"]),
        ])
        let ac = AssociateAC(
            calledAETitle: "SCP", callingAETitle: "SCU",
            presentationContexts: [
                PresentationContextResult(id: 1, result: .acceptance, transferSyntax: jpegBaseline),
                PresentationContextResult(id: 3, result: .acceptance, transferSyntax: "1.2.840.10008.1.2"),
            ],
            userInformation: UserInformation(maximumLength: 16384))
        let negotiated = try AssociationRequestor.negotiate(request: rq, accept: ac)
        XCTAssertNil(negotiated.acceptedContexts[1])
        XCTAssertEqual(negotiated.context(forAbstractSyntax: mr)?.id, 3)
        XCTAssertEqual(negotiated.context(forAbstractSyntax: mr, transferSyntax: "1.2.840.10008.1.2")?.id, 3)
        XCTAssertNil(negotiated.context(forAbstractSyntax: mr, transferSyntax: jpegBaseline))
    }

    func testNoAcceptedContextIsAnError() throws {
        let rq = try request([ProposedPresentationContext(abstractSyntax: mr, transferSyntaxes: ["1.2.840.10008.1.2"])])
        guard case .accept(let ac, _) = AssociationAcceptor.decide(request: rq, policy: policy()) else {
            return XCTFail()
        }
        XCTAssertThrowsError(try AssociationRequestor.negotiate(request: rq, accept: ac))
    }
}

extension NegotiationTests {
    /// A request without protocol version 1 is rejected 1/2/2 (protocol-version-not-supported).
    func testUnsupportedProtocolVersionIsRejected122() throws {
        var rq = try request([ProposedPresentationContext(abstractSyntax: ct, transferSyntaxes: ["1.2.840.10008.1.2"])])
        rq.protocolVersion = 0x0002
        guard case .associateRQ(let parsed) = try PDUParser.parse(bytes: encode(.associateRQ(rq))) else {
            return XCTFail()
        }
        XCTAssertEqual(
            AssociationAcceptor.decide(request: parsed, policy: policy()),
            .reject(AssociateRJ(result: 1, source: 2, reason: 2)))
    }
}
