import XCTest

@testable import DICOMNetwork

/// Test helper: a simulated ARTIM timer that follows the machine's commands, so tests can say "the timer is
/// running now" without any clock.
struct SimulatedARTIM {
    private(set) var isRunning = false
    private(set) var starts = 0

    mutating func apply(_ command: ARTIMCommand) {
        switch command {
        case .start:
            isRunning = true
            starts += 1
        case .stop:
            isRunning = false
        case .unchanged:
            break
        }
    }
}

/// Test helper: feeds `steps` to `machine` one by one and checks each step's action and next state, keeping a
/// simulated ARTIM timer in step with the returned commands.
func drive(
    _ machine: inout UpperLayerStateMachine,
    _ timer: inout SimulatedARTIM,
    _ steps: [(UpperLayerEvent, UpperLayerAction, UpperLayerState)],
    file: StaticString = #filePath,
    line: UInt = #line
) {
    for (event, action, state) in steps {
        let before = machine.state
        let transition = machine.handle(event)
        XCTAssertEqual(transition.from, before, file: file, line: line)
        XCTAssertEqual(transition.event, event, file: file, line: line)
        XCTAssertEqual(transition.action, action, "\(before) + \(event)", file: file, line: line)
        XCTAssertEqual(transition.to, state, "\(before) + \(event) -> \(transition.action)", file: file, line: line)
        XCTAssertEqual(machine.state, state, file: file, line: line)
        timer.apply(transition.artim)
    }
}
