import PaddockPluginKit

/// The enable config: {"nginx", "bind_address", "run_dir"} (the manifest's schema has already
/// checked types and rejected other keys).
struct DriverSettings {
    var nginx: String
    var bindAddress: String
    var runDirectory: String
    /// Debian's libnginx-mod-stream installs it here.
    var streamModule = "/usr/lib/nginx/modules/ngx_stream_module.so"

    init(_ config: JSONValue, stateDirectory: String) throws(DriverError) {
        nginx = config["nginx"]?.stringValue ?? "/usr/sbin/nginx"
        bindAddress = config["bind_address"]?.stringValue ?? "127.0.0.1"
        runDirectory = config["run_dir"]?.stringValue ?? stateDirectory
        guard Files.isExecutable(nginx) else {
            throw .invalidConfig("nginx is not an executable at \(nginx)",
                                 details: "install nginx (Debian: apt-get install nginx libnginx-mod-stream) or set \"nginx\" in the enable config")
        }
        guard !runDirectory.isEmpty else {
            throw .invalidConfig("no run_dir: the host gave no plugin state directory", details: "set \"run_dir\" in the enable config")
        }
        do {
            try Files.makeDirectories(runDirectory, mode: 0o700)
        } catch {
            throw .io("run_dir \(runDirectory) cannot be created: \(error)", details: "set \"run_dir\" to a writable directory")
        }
    }
}
