import XCTest

@testable import DICOMNetwork

/// Every cell of PS3.8 Table 9-10, written out independently of the implementation.
///
/// Actions and next states are transcribed from pynetdicom 3.0.4 (`pynetdicom/fsm.py`: `TRANSITION_TABLE`
/// and the next states in `ACTIONS`), which transcribes the standard; ARTIM commands from the action texts of
/// PS3.8 Tables 9-6..9-9. Two cells deviate on purpose from pynetdicom/the standard (DCMTK behaviour):
/// Sta5 + Evt18 and Sta7 + Evt18 are AA-2 (close) instead of blank.
///
/// Cell syntax: `ACTION>STATE ARTIM`, where ACTION is the standard's name or `n/a` (blank cell), STATE the
/// next state's number (`R` = AR-8: 9 for the requestor, 10 for the acceptor) and ARTIM `+` start, `-` stop,
/// `=` unchanged. A blank cell in a state with an open connection is handled like AA-8 (→ Sta13, start).
final class UpperLayerTransitionTableTests: XCTestCase {
    /// Rows: events Evt1...Evt19. Columns: states Sta1...Sta13.
    static let expectedTable: [String] = [
        /* Evt1  */
        "AE-1>4=   n/a>13+   n/a>13+   n/a>4=    n/a>13+   n/a>13+   n/a>13+   n/a>13+   n/a>13+   n/a>13+   n/a>13+   n/a>13+   n/a>13=",
        /* Evt2  */
        "n/a>1=    n/a>13+   n/a>13+   AE-2>5+   n/a>13+   n/a>13+   n/a>13+   n/a>13+   n/a>13+   n/a>13+   n/a>13+   n/a>13+   n/a>13=",
        /* Evt3  */
        "n/a>1=    AA-1>13+  AA-8>13+  n/a>4=    AE-3>6-   AA-8>13+  AA-8>13+  AA-8>13+  AA-8>13+  AA-8>13+  AA-8>13+  AA-8>13+  AA-6>13=",
        /* Evt4  */
        "n/a>1=    AA-1>13+  AA-8>13+  n/a>4=    AE-4>1-   AA-8>13+  AA-8>13+  AA-8>13+  AA-8>13+  AA-8>13+  AA-8>13+  AA-8>13+  AA-6>13=",
        /* Evt5  */
        "AE-5>2+   n/a>13+   n/a>13+   n/a>4=    n/a>13+   n/a>13+   n/a>13+   n/a>13+   n/a>13+   n/a>13+   n/a>13+   n/a>13+   n/a>13=",
        /* Evt6  */
        "n/a>1=    AE-6>3-   AA-8>13+  n/a>4=    AA-8>13+  AA-8>13+  AA-8>13+  AA-8>13+  AA-8>13+  AA-8>13+  AA-8>13+  AA-8>13+  AA-7>13=",
        /* Evt7  */
        "n/a>1=    n/a>13+   AE-7>6=   n/a>4=    n/a>13+   n/a>13+   n/a>13+   n/a>13+   n/a>13+   n/a>13+   n/a>13+   n/a>13+   n/a>13=",
        /* Evt8  */
        "n/a>1=    n/a>13+   AE-8>13+  n/a>4=    n/a>13+   n/a>13+   n/a>13+   n/a>13+   n/a>13+   n/a>13+   n/a>13+   n/a>13+   n/a>13=",
        /* Evt9  */
        "n/a>1=    n/a>13+   n/a>13+   n/a>4=    n/a>13+   DT-1>6=   n/a>13+   AR-7>8=   n/a>13+   n/a>13+   n/a>13+   n/a>13+   n/a>13=",
        /* Evt10 */
        "n/a>1=    AA-1>13+  AA-8>13+  n/a>4=    AA-8>13+  DT-2>6=   AR-6>7=   AA-8>13+  AA-8>13+  AA-8>13+  AA-8>13+  AA-8>13+  AA-6>13=",
        /* Evt11 */
        "n/a>1=    n/a>13+   n/a>13+   n/a>4=    n/a>13+   AR-1>7+   n/a>13+   n/a>13+   n/a>13+   n/a>13+   n/a>13+   n/a>13+   n/a>13=",
        /* Evt12 */
        "n/a>1=    AA-1>13+  AA-8>13+  n/a>4=    AA-8>13+  AR-2>8=   AR-8>R=   AA-8>13+  AA-8>13+  AA-8>13+  AA-8>13+  AA-8>13+  AA-6>13=",
        /* Evt13 */
        "n/a>1=    AA-1>13+  AA-8>13+  n/a>4=    AA-8>13+  AA-8>13+  AR-3>1-   AA-8>13+  AA-8>13+  AR-10>12= AR-3>1-   AA-8>13+  AA-6>13=",
        /* Evt14 */
        "n/a>1=    n/a>13+   n/a>13+   n/a>4=    n/a>13+   n/a>13+   n/a>13+   AR-4>13+  AR-9>11=  n/a>13+   n/a>13+   AR-4>13+  n/a>13=",
        /* Evt15 */
        "n/a>1=    n/a>13+   AA-1>13+  AA-2>1-   AA-1>13+  AA-1>13+  AA-1>13+  AA-1>13+  AA-1>13+  AA-1>13+  AA-1>13+  AA-1>13+  n/a>13=",
        /* Evt16 */
        "n/a>1=    AA-2>1-   AA-3>1-   n/a>4=    AA-3>1-   AA-3>1-   AA-3>1-   AA-3>1-   AA-3>1-   AA-3>1-   AA-3>1-   AA-3>1-   AA-2>1-",
        /* Evt17 */
        "n/a>1=    AA-5>1-   AA-4>1-   AA-4>1-   AA-4>1-   AA-4>1-   AA-4>1-   AA-4>1-   AA-4>1-   AA-4>1-   AA-4>1-   AA-4>1-   AR-5>1-",
        /* Evt18 */
        "n/a>1=    AA-2>1-   n/a>13+   n/a>4=    AA-2>1-   n/a>13+   AA-2>1-   n/a>13+   n/a>13+   n/a>13+   n/a>13+   n/a>13+   AA-2>1-",
        /* Evt19 */
        "n/a>1=    AA-1>13+  AA-8>13+  n/a>4=    AA-8>13+  AA-8>13+  AA-8>13+  AA-8>13+  AA-8>13+  AA-8>13+  AA-8>13+  AA-8>13+  AA-7>13=",
    ]

    static let actionsByName: [String: UpperLayerAction] = [
        "AE-1": .ae1, "AE-2": .ae2, "AE-3": .ae3, "AE-4": .ae4, "AE-5": .ae5, "AE-6": .ae6, "AE-7": .ae7,
        "AE-8": .ae8, "DT-1": .dt1, "DT-2": .dt2, "AR-1": .ar1, "AR-2": .ar2, "AR-3": .ar3, "AR-4": .ar4,
        "AR-5": .ar5, "AR-6": .ar6, "AR-7": .ar7, "AR-8": .ar8, "AR-9": .ar9, "AR-10": .ar10, "AA-1": .aa1,
        "AA-2": .aa2, "AA-3": .aa3, "AA-4": .aa4, "AA-5": .aa5, "AA-6": .aa6, "AA-7": .aa7, "AA-8": .aa8,
        "n/a": .notApplicable,
    ]

    /// The expected transition of one cell, parsed from `expectedTable`.
    static func expectedTransition(
        from state: UpperLayerState,
        on event: UpperLayerEvent,
        role: UpperLayerRole
    ) throws -> UpperLayerTransition {
        let row = expectedTable[event.rawValue - 1].split(separator: " ", omittingEmptySubsequences: true)
        let cell = String(row[state.rawValue - 1])
        let parts = cell.split(separator: ">")
        let action = try XCTUnwrap(actionsByName[String(parts[0])], "unknown action in cell \(cell)")
        var target = parts[1]
        let artimSymbol = target.removeLast()
        let artim: ARTIMCommand
        switch artimSymbol {
        case "+": artim = .start
        case "-": artim = .stop
        case "=": artim = .unchanged
        default: throw MalformedCell(cell: cell)
        }
        let to: UpperLayerState
        if target == "R" {
            to = role == .requestor ? .sta9 : .sta10
        } else {
            to = try XCTUnwrap(Int(target).flatMap(UpperLayerState.init(rawValue:)), "bad state in cell \(cell)")
        }
        return UpperLayerTransition(from: state, event: event, action: action, to: to, artim: artim)
    }

    struct MalformedCell: Error { var cell: String }

    func testExpectedTableHasNineteenRowsOfThirteenCells() {
        XCTAssertEqual(Self.expectedTable.count, 19)
        for (index, row) in Self.expectedTable.enumerated() {
            XCTAssertEqual(row.split(separator: " ").count, 13, "row Evt\(index + 1)")
        }
    }

    /// 13 × 19 cells, for both roles: the action, the next state (also the machine's new `state`) and ARTIM.
    func testEveryCellMatchesTable9_10() throws {
        var checked = 0
        for role in [UpperLayerRole.requestor, .acceptor] {
            for state in UpperLayerState.allCases {
                for event in UpperLayerEvent.allCases {
                    let expected = try Self.expectedTransition(from: state, on: event, role: role)
                    var machine = UpperLayerStateMachine(state: state, role: role)
                    let actual = machine.handle(event)
                    XCTAssertEqual(actual, expected, "\(state) + \(event) as \(role)")
                    XCTAssertEqual(machine.state, expected.to, "state after \(state) + \(event) as \(role)")
                    // Only opening an association from Sta1 decides the role (Evt1: requestor, Evt5: acceptor).
                    let expectedRole: UpperLayerRole =
                        state == .sta1 && event == .evt1
                        ? .requestor : state == .sta1 && event == .evt5 ? .acceptor : role
                    XCTAssertEqual(machine.role, expectedRole, "role after \(state) + \(event) as \(role)")
                    checked += 1
                }
            }
        }
        XCTAssertEqual(checked, 2 * 13 * 19)
    }

    /// The explicit Evt6 entry point agrees with `handle(.evt6)` everywhere except AE-6's reject branch.
    func testAssociateRequestEntryPointAgreesWithTheTable() {
        for state in UpperLayerState.allCases {
            for acceptable in [true, false] {
                var viaTable = UpperLayerStateMachine(state: state, role: .acceptor)
                var viaEntryPoint = viaTable
                let expected = viaTable.handle(.evt6)
                let actual = viaEntryPoint.handleAssociateRequest(acceptableByServiceProvider: acceptable)
                if state == .sta2 && !acceptable {
                    XCTAssertEqual(
                        actual, UpperLayerTransition(from: .sta2, event: .evt6, action: .ae6, to: .sta13, artim: .start)
                    )
                } else {
                    XCTAssertEqual(actual, expected, "\(state), acceptable: \(acceptable)")
                }
                XCTAssertEqual(viaEntryPoint.state, actual.to)
            }
        }
    }

    /// A machine that has reached Sta1 has no reason to be woken by ARTIM: no transition into Sta1 starts it,
    /// and every transition out of an open connection into Sta1 stops it.
    func testNoTransitionIntoIdleLeavesTheTimerRunning() {
        for state in UpperLayerState.allCases where state != .sta1 {
            for event in UpperLayerEvent.allCases {
                var machine = UpperLayerStateMachine(state: state, role: .requestor)
                let transition = machine.handle(event)
                if transition.to == .sta1 {
                    XCTAssertEqual(transition.artim, .stop, "\(transition)")
                }
            }
        }
    }

    func testNamesReadAsInTheStandard() {
        XCTAssertEqual(UpperLayerState.sta13.description, "Sta13")
        XCTAssertEqual(UpperLayerEvent.evt10.description, "Evt10")
        XCTAssertEqual(UpperLayerAction.ar10.description, "AR-10")
        XCTAssertEqual(UpperLayerAction.notApplicable.description, "n/a")
        var machine = UpperLayerStateMachine(state: .sta6)
        XCTAssertEqual(machine.handle(.evt12).description, "Sta6 + Evt12 -> AR-2 -> Sta8 (ARTIM unchanged)")
        for (name, action) in Self.actionsByName {
            XCTAssertEqual(action.description, name)
        }
    }
}
