import XCTest

@testable import DICOMNetwork

/// ARTIM timer commands (PS3.8 §9.1.5 and Tables 9-6..9-9), including the Sta5/Sta7 deviation.
final class UpperLayerARTIMTests: XCTestCase {
    /// AE-5: an incoming connection starts ARTIM, so a peer that never sends A-ASSOCIATE-RQ is dropped.
    func testIncomingConnectionStartsTimer() {
        var machine = UpperLayerStateMachine()
        let transition = machine.handle(.evt5)
        XCTAssertEqual(transition.action, .ae5)
        XCTAssertEqual(transition.to, .sta2)
        XCTAssertEqual(transition.artim, .start)
        XCTAssertEqual(machine.role, .acceptor)
    }

    /// AE-6, acceptable branch: the A-ASSOCIATE-RQ arrived in time, the timer stops while the user decides.
    func testAcceptableAssociateRequestStopsTimer() {
        var machine = UpperLayerStateMachine(state: .sta2)
        let transition = machine.handleAssociateRequest(acceptableByServiceProvider: true)
        XCTAssertEqual(
            transition, UpperLayerTransition(from: .sta2, event: .evt6, action: .ae6, to: .sta3, artim: .stop))
    }

    /// AE-6, reject branch: A-ASSOCIATE-RJ is sent and ARTIM (re)started while waiting for the peer to close.
    func testProviderRejectedAssociateRequestRestartsTimerAndAwaitsClose() {
        var machine = UpperLayerStateMachine()
        var timer = SimulatedARTIM()
        timer.apply(machine.handle(.evt5).artim)
        let transition = machine.handleAssociateRequest(acceptableByServiceProvider: false)
        XCTAssertEqual(transition.action, .ae6)
        XCTAssertEqual(transition.to, .sta13)
        XCTAssertEqual(transition.artim, .start)
        timer.apply(transition.artim)
        XCTAssertTrue(timer.isRunning)
        XCTAssertEqual(timer.starts, 2)
        // The peer never closes: ARTIM expiry closes the connection ourselves.
        drive(&machine, &timer, [(.evt18, .aa2, .sta1)])
        XCTAssertFalse(timer.isRunning)
    }

    /// AE-8: the local user rejects; A-ASSOCIATE-RJ sent, ARTIM started.
    func testUserRejectStartsTimer() {
        var machine = UpperLayerStateMachine(state: .sta3)
        XCTAssertEqual(
            machine.handle(.evt8),
            UpperLayerTransition(from: .sta3, event: .evt8, action: .ae8, to: .sta13, artim: .start))
    }

    /// AR-4: after sending A-RELEASE-RP, ARTIM bounds the wait for the requestor to close.
    func testReleaseResponseStartsTimer() {
        var machine = UpperLayerStateMachine(state: .sta8, role: .acceptor)
        XCTAssertEqual(
            machine.handle(.evt14),
            UpperLayerTransition(from: .sta8, event: .evt14, action: .ar4, to: .sta13, artim: .start))
    }

    /// AA-1: a local A-ABORT request sends A-ABORT and starts ARTIM.
    func testLocalAbortStartsTimer() {
        var machine = UpperLayerStateMachine(state: .sta6)
        XCTAssertEqual(
            machine.handle(.evt15),
            UpperLayerTransition(from: .sta6, event: .evt15, action: .aa1, to: .sta13, artim: .start))
    }

    /// AA-8: an unexpected or invalid PDU while associated aborts (provider source) and starts ARTIM.
    func testInvalidPDUAbortsAndStartsTimer() {
        var machine = UpperLayerStateMachine(state: .sta6)
        XCTAssertEqual(
            machine.handle(.evt19),
            UpperLayerTransition(from: .sta6, event: .evt19, action: .aa8, to: .sta13, artim: .start))
        var second = UpperLayerStateMachine(state: .sta6)
        XCTAssertEqual(second.handle(.evt6).action, .aa8, "a second A-ASSOCIATE-RQ while associated")
    }

    /// Sta2 + Evt18 → AA-2: the connection opened but no A-ASSOCIATE-RQ came (slow-loris guard).
    func testTimerExpiryBeforeAssociateRequestCloses() {
        var machine = UpperLayerStateMachine()
        var timer = SimulatedARTIM()
        drive(&machine, &timer, [(.evt5, .ae5, .sta2), (.evt18, .aa2, .sta1)])
        XCTAssertFalse(timer.isRunning)
    }

    /// Sta13 + Evt18 → AA-2: we aborted, the peer did not close; close ourselves. A late close is then AR-5.
    func testTimerExpiryWhileAwaitingCloseCloses() {
        var machine = UpperLayerStateMachine(state: .sta6)
        var timer = SimulatedARTIM()
        drive(&machine, &timer, [(.evt15, .aa1, .sta13)])
        XCTAssertTrue(timer.isRunning)
        drive(&machine, &timer, [(.evt10, .aa6, .sta13), (.evt18, .aa2, .sta1)])
        XCTAssertFalse(timer.isRunning)

        var closedByPeer = UpperLayerStateMachine(state: .sta13)
        XCTAssertEqual(
            closedByPeer.handle(.evt17),
            UpperLayerTransition(from: .sta13, event: .evt17, action: .ar5, to: .sta1, artim: .stop))
    }

    /// Deviation (DCMTK): AE-2 starts ARTIM and its expiry in Sta5 (no A-ASSOCIATE-AC/RJ) closes (AA-2).
    func testTimerExpiryAwaitingAssociateAnswerCloses() {
        var machine = UpperLayerStateMachine()
        var timer = SimulatedARTIM()
        drive(&machine, &timer, [(.evt1, .ae1, .sta4), (.evt2, .ae2, .sta5)])
        XCTAssertTrue(timer.isRunning, "AE-2 starts ARTIM")
        drive(&machine, &timer, [(.evt18, .aa2, .sta1)])
        XCTAssertFalse(timer.isRunning)
    }

    /// The answer arriving in time stops the deviation's timer (AE-3 accepted, AE-4 rejected).
    func testAssociateAnswerStopsTimer() {
        for (event, action, state) in [
            (UpperLayerEvent.evt3, UpperLayerAction.ae3, UpperLayerState.sta6), (.evt4, .ae4, .sta1),
        ] {
            var machine = UpperLayerStateMachine()
            var timer = SimulatedARTIM()
            drive(&machine, &timer, [(.evt1, .ae1, .sta4), (.evt2, .ae2, .sta5), (event, action, state)])
            XCTAssertFalse(timer.isRunning, "after \(action)")
        }
    }

    /// Deviation (DCMTK): AR-1 starts ARTIM and its expiry in Sta7 (no A-RELEASE-RP) closes (AA-2);
    /// P-DATA still arriving meanwhile (AR-6) does not restart it.
    func testTimerExpiryAwaitingReleaseResponseCloses() {
        var machine = UpperLayerStateMachine(state: .sta6)
        var timer = SimulatedARTIM()
        drive(&machine, &timer, [(.evt11, .ar1, .sta7)])
        XCTAssertTrue(timer.isRunning, "AR-1 starts ARTIM")
        drive(&machine, &timer, [(.evt10, .ar6, .sta7)])
        XCTAssertEqual(timer.starts, 1)
        drive(&machine, &timer, [(.evt18, .aa2, .sta1)])
        XCTAssertFalse(timer.isRunning)
    }

    /// Blank cells where a connection is open are handled like AA-8 (abort, start ARTIM, Sta13).
    func testBlankCellWithOpenConnectionAbortsLikeAA8() {
        var machine = UpperLayerStateMachine(state: .sta6)
        XCTAssertEqual(
            machine.handle(.evt18),
            UpperLayerTransition(from: .sta6, event: .evt18, action: .notApplicable, to: .sta13, artim: .start))
        var idle = UpperLayerStateMachine()
        XCTAssertEqual(
            idle.handle(.evt9),
            UpperLayerTransition(from: .sta1, event: .evt9, action: .notApplicable, to: .sta1, artim: .unchanged))
    }
}
