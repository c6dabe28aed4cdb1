import Glibc
import PaddockPosix

enum Clock {
    static func seconds() -> Double { ChildProcess.monotonicSeconds() }

    static func epochSeconds() -> Int { Int(time(nil)) }
}
