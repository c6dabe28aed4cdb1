import Glibc

/// Writes wire events on the child's report descriptor, one write(2) per line so that nothing
/// buffered is lost when the plugin kills the process right after.
struct ConformanceReporter: Sendable {
    let fd: Int32

    func send(_ event: ConformanceWire.Event) {
        var line = ConformanceWire.encode(event)
        line.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 && errno == EINTR { continue }
                if written <= 0 { return }
                offset += written
            }
        }
    }
}
