import XCTest

@testable import DICOMNetwork

/// Whole associations, from Sta1 back to Sta1, as each side sees them (PS3.8 §9.2, Table 9-10).
final class UpperLayerLifecycleTests: XCTestCase {
    func testRequestorEstablishesTransfersAndReleases() {
        var machine = UpperLayerStateMachine()
        var timer = SimulatedARTIM()
        drive(
            &machine, &timer,
            [
                (.evt1, .ae1, .sta4),  // A-ASSOCIATE request: open the transport connection
                (.evt2, .ae2, .sta5),  // connected: send A-ASSOCIATE-RQ
                (.evt3, .ae3, .sta6),  // A-ASSOCIATE-AC: associated
                (.evt9, .dt1, .sta6),  // send a C-ECHO-RQ
                (.evt10, .dt2, .sta6),  // receive the C-ECHO-RSP
                (.evt11, .ar1, .sta7),  // A-RELEASE request
                (.evt10, .ar6, .sta7),  // late P-DATA-TF still delivered
                (.evt13, .ar3, .sta1),  // A-RELEASE-RP: confirm, close
            ])
        XCTAssertEqual(machine.role, .requestor)
        XCTAssertFalse(timer.isRunning)
    }

    func testAcceptorAcceptsTransfersAndIsReleased() {
        var machine = UpperLayerStateMachine()
        var timer = SimulatedARTIM()
        drive(
            &machine, &timer,
            [
                (.evt5, .ae5, .sta2),  // transport connection accepted, ARTIM started
                (.evt6, .ae6, .sta3),  // A-ASSOCIATE-RQ: ARTIM stopped, indication to the user
                (.evt7, .ae7, .sta6),  // user accepts: send A-ASSOCIATE-AC
                (.evt10, .dt2, .sta6),  // C-STORE-RQ arrives
                (.evt9, .dt1, .sta6),  // C-STORE-RSP sent
                (.evt12, .ar2, .sta8),  // A-RELEASE-RQ: indication to the user
                (.evt9, .ar7, .sta8),  // a last P-DATA-TF may still be sent
                (.evt14, .ar4, .sta13),  // user answers: send A-RELEASE-RP, start ARTIM
                (.evt17, .ar5, .sta1),  // the requestor closes: stop ARTIM
            ])
        XCTAssertEqual(machine.role, .acceptor)
        XCTAssertFalse(timer.isRunning)
    }

    func testRequestorIsRejected() {
        var machine = UpperLayerStateMachine()
        var timer = SimulatedARTIM()
        drive(&machine, &timer, [(.evt1, .ae1, .sta4), (.evt2, .ae2, .sta5), (.evt4, .ae4, .sta1)])
        XCTAssertFalse(timer.isRunning)
    }

    func testAcceptorRejectsAndThePeerCloses() {
        var machine = UpperLayerStateMachine()
        var timer = SimulatedARTIM()
        drive(&machine, &timer, [(.evt5, .ae5, .sta2), (.evt6, .ae6, .sta3), (.evt8, .ae8, .sta13)])
        XCTAssertTrue(timer.isRunning)
        drive(&machine, &timer, [(.evt17, .ar5, .sta1)])
        XCTAssertFalse(timer.isRunning)
    }

    func testPeerAbortDuringTransferEndsTheAssociation() {
        var machine = UpperLayerStateMachine()
        var timer = SimulatedARTIM()
        drive(
            &machine, &timer, [(.evt5, .ae5, .sta2), (.evt6, .ae6, .sta3), (.evt7, .ae7, .sta6), (.evt16, .aa3, .sta1)])
        XCTAssertFalse(timer.isRunning)
    }

    func testConnectionLostDuringTransferIndicatesProviderAbort() {
        var machine = UpperLayerStateMachine()
        var timer = SimulatedARTIM()
        drive(
            &machine, &timer, [(.evt1, .ae1, .sta4), (.evt2, .ae2, .sta5), (.evt3, .ae3, .sta6), (.evt17, .aa4, .sta1)])
        XCTAssertFalse(timer.isRunning)
    }

    /// A machine back in Sta1 can serve the next association, in either role.
    func testIdleMachineIsReusableInTheOtherRole() {
        var machine = UpperLayerStateMachine()
        var timer = SimulatedARTIM()
        drive(&machine, &timer, [(.evt1, .ae1, .sta4), (.evt15, .aa2, .sta1)])
        XCTAssertEqual(machine.role, .requestor)
        drive(&machine, &timer, [(.evt5, .ae5, .sta2), (.evt18, .aa2, .sta1)])
        XCTAssertEqual(machine.role, .acceptor)
    }
}
