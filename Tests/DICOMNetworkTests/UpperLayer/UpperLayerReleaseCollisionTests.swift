import XCTest

@testable import DICOMNetwork

/// Release collision (PS3.8 §9.2.3 and Table 9-10): both sides send A-RELEASE-RQ at once. The requestor goes
/// Sta7 → Sta9 → Sta11 → Sta1, the acceptor Sta7 → Sta10 → Sta12 → Sta13 → Sta1; neither deadlocks.
final class UpperLayerReleaseCollisionTests: XCTestCase {
    func testRequestorSideCollision() {
        var machine = UpperLayerStateMachine()
        var timer = SimulatedARTIM()
        drive(
            &machine, &timer,
            [
                (.evt1, .ae1, .sta4),
                (.evt2, .ae2, .sta5),
                (.evt3, .ae3, .sta6),
                (.evt11, .ar1, .sta7),  // we send A-RELEASE-RQ
                (.evt12, .ar8, .sta9),  // ... and receive the acceptor's A-RELEASE-RQ: collision, requestor side
                (.evt14, .ar9, .sta11),  // local user answers: send A-RELEASE-RP
                (.evt13, .ar3, .sta1),  // acceptor's A-RELEASE-RP: confirm and close
            ])
        XCTAssertEqual(machine.role, .requestor)
        XCTAssertFalse(timer.isRunning)
    }

    func testAcceptorSideCollision() {
        var machine = UpperLayerStateMachine()
        var timer = SimulatedARTIM()
        drive(
            &machine, &timer,
            [
                (.evt5, .ae5, .sta2),
                (.evt6, .ae6, .sta3),
                (.evt7, .ae7, .sta6),
                (.evt11, .ar1, .sta7),  // we send A-RELEASE-RQ
                (.evt12, .ar8, .sta10),  // ... and receive the requestor's: collision, acceptor side
                (.evt13, .ar10, .sta12),  // the requestor's A-RELEASE-RP: confirm to the local user
                (.evt14, .ar4, .sta13),  // local user answers: send A-RELEASE-RP, start ARTIM
            ])
        XCTAssertEqual(machine.role, .acceptor)
        XCTAssertTrue(timer.isRunning, "AR-4 starts ARTIM while the requestor closes")
        drive(&machine, &timer, [(.evt17, .ar5, .sta1)])
        XCTAssertFalse(timer.isRunning)
    }

    /// A collision that stalls (the peer never sends its A-RELEASE-RP) is ended by the timer AR-1 started:
    /// its expiry in Sta10/Sta11 is a blank cell, handled like AA-8.
    func testStalledCollisionIsAbortedByTimer() {
        for role in [UpperLayerRole.requestor, .acceptor] {
            var machine = UpperLayerStateMachine(state: .sta6, role: role)
            var timer = SimulatedARTIM()
            let waiting: UpperLayerState = role == .requestor ? .sta11 : .sta10
            switch role {
            case .requestor:
                drive(&machine, &timer, [(.evt11, .ar1, .sta7), (.evt12, .ar8, .sta9), (.evt14, .ar9, .sta11)])
            case .acceptor:
                drive(&machine, &timer, [(.evt11, .ar1, .sta7), (.evt12, .ar8, .sta10)])
            }
            XCTAssertEqual(machine.state, waiting)
            XCTAssertTrue(timer.isRunning, "\(role): AR-1's timer still bounds the collision")
            drive(&machine, &timer, [(.evt18, .notApplicable, .sta13), (.evt17, .ar5, .sta1)])
            XCTAssertFalse(timer.isRunning)
        }
    }

    /// Out-of-place PDUs during a collision abort (AA-8); a peer A-ABORT closes (AA-3).
    func testUnexpectedPDUsDuringCollision() {
        for state in [UpperLayerState.sta9, .sta10, .sta11, .sta12] {
            var machine = UpperLayerStateMachine(state: state)
            XCTAssertEqual(machine.handle(.evt10).action, .aa8, "P-DATA-TF in \(state)")
            var aborted = UpperLayerStateMachine(state: state)
            XCTAssertEqual(aborted.handle(.evt16).action, .aa3, "A-ABORT in \(state)")
            XCTAssertEqual(aborted.state, .sta1)
        }
    }
}
