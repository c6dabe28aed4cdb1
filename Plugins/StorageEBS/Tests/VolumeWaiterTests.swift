import StorageEBSCore
import XCTest

/// The waiters as a state machine, and the bounded polling loop on an injected clock.
final class VolumeWaiterTests: XCTestCase {
    typealias A = EC2Volume.Attachment

    func testEachGoalAcceptsWaitsOrGivesUp() {
        let table: [(VolumeWaiter.Goal, EC2Volume?, VolumeWaiter.Step)] = [
            (.available, EC2Volume(id: "v", state: "creating"), .pending("creating")),
            (.available, EC2Volume(id: "v", state: "available"), .reached),
            (.available, EC2Volume(id: "v", state: "error"), .failed("the volume is error")),
            (.available, nil, .pending("not listed yet")),
            (.attached(instance: "i-1", device: "/dev/sdf"),
             EC2Volume(id: "v", state: "in-use", attachments: [A(instanceID: "i-1", device: "/dev/sdf", state: "attaching")]), .pending("attaching")),
            (.attached(instance: "i-1", device: "/dev/sdf"),
             EC2Volume(id: "v", state: "in-use", attachments: [A(instanceID: "i-1", device: "/dev/sdf", state: "attached")]), .reached),
            (.attached(instance: "i-1", device: "/dev/sdf"),
             EC2Volume(id: "v", state: "in-use", attachments: [A(instanceID: "i-2", device: "/dev/sdf", state: "attached")]),
             .failed("the volume is attached to i-2, not i-1")),
            (.attached(instance: "i-1", device: "/dev/sdf"), nil, .failed("the volume no longer exists")),
            (.detached(instance: "i-1"),
             EC2Volume(id: "v", state: "in-use", attachments: [A(instanceID: "i-1", device: "/dev/sdf", state: "detaching")]), .pending("detaching")),
            (.detached(instance: "i-1"), EC2Volume(id: "v", state: "available"), .reached),
            (.detached(instance: "i-1"), nil, .reached),
            (.deleted, EC2Volume(id: "v", state: "deleting"), .pending("deleting")),
            (.deleted, nil, .reached),
        ]
        for (goal, volume, expected) in table {
            XCTAssertEqual(VolumeWaiter.step(goal, volume), expected, "\(goal) with \(String(describing: volume))")
        }
    }

    func testWaitPollsUntilReachedAndCountsPolls() {
        var seen = ["attaching", "attaching", "attached"]
        var clock = 0.0
        let outcome = VolumeWaiter.wait(for: .attached(instance: "i-1", device: "/dev/sdf"), timeout: 10, interval: 1,
                                        now: { clock }, sleep: { clock += $0 }) { () -> EC2Volume? in
            EC2Volume(id: "v", state: "in-use", attachments: [A(instanceID: "i-1", device: "/dev/sdf", state: seen.removeFirst())])
        }
        XCTAssertEqual(outcome, .reached(polls: 3))
        XCTAssertEqual(clock, 2)
    }

    func testWaitStopsAtTheBoundWithTheLastStateSeen() {
        var clock = 0.0
        let outcome = VolumeWaiter.wait(for: .detached(instance: "i-1"), timeout: 2.5, interval: 1,
                                        now: { clock }, sleep: { clock += $0 }) { () -> EC2Volume? in
            EC2Volume(id: "v", state: "in-use", attachments: [A(instanceID: "i-1", device: "/dev/sdf", state: "detaching")])
        }
        XCTAssertEqual(outcome, .timedOut(lastSeen: "detaching", polls: 4))
        XCTAssertEqual(clock, 2.5)
    }

    func testWaitStopsAtADeadEndAtOnce() {
        var polls = 0
        let outcome = VolumeWaiter.wait(for: .available, timeout: 100, interval: 1, now: { 0 }, sleep: { _ in }) { () -> EC2Volume? in
            polls += 1
            return EC2Volume(id: "v", state: "error")
        }
        XCTAssertEqual(outcome, .failed("the volume is error"))
        XCTAssertEqual(polls, 1)
    }
}
