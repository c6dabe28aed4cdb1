/// The waiters of the EBS lifecycle as a state machine over DescribeVolumes observations: each
/// observation is either the goal, a transitional state worth another poll, or a dead end.
public enum VolumeWaiter {
    public enum Goal: Sendable, Equatable, CustomStringConvertible {
        case available
        case attached(instance: String, device: String)
        case detached(instance: String)
        case deleted

        public var description: String {
            switch self {
            case .available: "available"
            case .attached(let instance, let device): "attached to \(instance) as \(device)"
            case .detached(let instance): "detached from \(instance)"
            case .deleted: "deleted"
            }
        }
    }

    public enum Step: Sendable, Equatable {
        case reached
        /// Poll again; the string is the state seen, for logs and the timeout message.
        case pending(String)
        case failed(String)
    }

    /// One observation: the volume as described, or nil when EC2 says it does not exist.
    public static func step(_ goal: Goal, _ volume: EC2Volume?) -> Step {
        guard let volume else {
            switch goal {
            case .deleted, .detached: return .reached
            // Just after CreateVolume, EC2 may not list the volume yet (eventual consistency).
            case .available: return .pending("not listed yet")
            case .attached: return .failed("the volume no longer exists")
            }
        }
        switch goal {
        case .available:
            switch volume.state {
            case "available": return .reached
            case "creating": return .pending("creating")
            case "in-use": return .pending("in-use")
            default: return .failed("the volume is \(volume.state)")
            }
        case .attached(let instance, let device):
            if volume.state == "error" || volume.state == "deleting" || volume.state == "deleted" {
                return .failed("the volume is \(volume.state)")
            }
            guard let attachment = volume.attachment(to: instance) else {
                if let other = volume.attachments.first {
                    return .failed("the volume is attached to \(other.instanceID), not \(instance)")
                }
                return volume.state == "available" ? .pending("available (attachment not visible yet)") : .pending(volume.state)
            }
            guard attachment.device == device || attachment.device.isEmpty else {
                return .failed("the volume is attached as \(attachment.device), not \(device)")
            }
            switch attachment.state {
            case "attached": return .reached
            case "attaching", "busy": return .pending(attachment.state)
            default: return .failed("the attachment is \(attachment.state)")
            }
        case .detached(let instance):
            guard let attachment = volume.attachment(to: instance) else { return .reached }
            return attachment.state == "detached" ? .reached : .pending(attachment.state)
        case .deleted:
            switch volume.state {
            case "deleted": return .reached
            case "deleting": return .pending("deleting")
            case "error": return .failed("the volume is in error")
            default: return .pending(volume.state)
            }
        }
    }

    public enum Outcome: Sendable, Equatable {
        case reached(polls: Int)
        case timedOut(lastSeen: String, polls: Int)
        case failed(String)
    }

    /// Polls `observe` until the goal, a dead end, or `timeout` seconds. The clock and the pause
    /// are injected so the loop is testable without waiting.
    public static func wait<E: Error>(for goal: Goal, timeout: Double, interval: Double,
                                      now: () -> Double, sleep: (Double) -> Void,
                                      observe: () throws(E) -> EC2Volume?) throws(E) -> Outcome {
        let deadline = now() + timeout
        var polls = 0
        var last = "not observed"
        while true {
            polls += 1
            switch step(goal, try observe()) {
            case .reached: return .reached(polls: polls)
            case .failed(let reason): return .failed(reason)
            case .pending(let seen): last = seen
            }
            let left = deadline - now()
            if left <= 0 { return .timedOut(lastSeen: last, polls: polls) }
            sleep(min(interval, left))
        }
    }
}
