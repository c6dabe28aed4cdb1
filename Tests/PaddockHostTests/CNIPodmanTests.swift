import Foundation
import PaddockPosix
import XCTest

/// podman 4.3 (Debian) as the real CNI client: a container on a Paddock network (the `paddock` CNI
/// binary in front of the vxlan driver) reaches a peer container on another host.
extension CNIVXLANTests {
    /// podman with everything under `directory`: storage (vfs, so no mounts are left behind),
    /// run root, temp dir and a containers.conf that points CNI at our conflist and binary.
    struct Podman {
        let directory: String
        let namespace: String

        var arguments: [String] {
            ["--root", "\(directory)/storage", "--runroot", "\(directory)/run", "--tmpdir", "\(directory)/tmp",
             "--storage-driver", "vfs", "--cgroup-manager", "cgroupfs", "--events-backend", "file",
             // crun refuses this machine's hybrid cgroup layout; runc accepts it.
             "--runtime", "/usr/sbin/runc"]
        }

        /// `podman ARGS` run in the host's network namespace (nsenter keeps /sys and its cgroup
        /// mounts, which `ip netns exec` would replace).
        func run(_ extra: [String], timeout: Double = 120) throws -> Harness.Run {
            let outcome = try ChildProcess.run(
                "/usr/bin/nsenter", arguments: ["--net=/var/run/netns/\(namespace)", "/usr/bin/podman"] + arguments + extra,
                environment: ["CONTAINERS_CONF": "\(directory)/containers.conf", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
                              "HOME": directory],
                timeoutSeconds: timeout)
            return Harness.Run(status: outcome.termination, stdout: String(decoding: outcome.stdout, as: UTF8.self),
                               stderr: String(decoding: outcome.stderr, as: UTF8.self))
        }
    }

    func testPodmanRunsAContainerOnThePaddockNetworkThatReachesAPeer() throws {
        for tool in ["/usr/bin/podman", "/usr/sbin/runc", "/usr/bin/nsenter", "/bin/busybox"] where !FileSystem.exists(tool) {
            throw XCTSkip("\(tool) is not installed (Debian podman, runc, util-linux, busybox-static)")
        }
        let lab = try makeLab("cp")
        let testbed = lab.testbed

        // The peer: a container namespace on h2, attached by h2's driver directly.
        let peer = try testbed.addContainer("peer", on: "h2")
        let request = #"{"containerId":"peer","netns":"\#(peer.netnsPath)","ifName":"eth0","config":\#(Self.entry())}"#
        let attached = try testbed.paddock(on: "h2", ["plugin", "invoke", "vxlan", "network.add", request])
        XCTAssertEqual(attached.status, .exited(0), attached.stdout + attached.stderr)
        let peerCIDR = try XCTUnwrap(((attached.json as? [String: Any])?["ips"] as? [[String: Any]])?.first?["address"] as? String)
        let peerAddress = String(peerCIDR.split(separator: "/")[0])

        // podman's configuration, network and image, all under the testbed's directory.
        let directory = try testbed.directory.subdirectory("podman")
        let networks = try testbed.directory.subdirectory("podman/networks")
        try """
            [containers]
            default_ulimits = []
            [network]
            network_backend = "cni"
            network_config_dir = "\(networks)"
            cni_plugin_dirs = ["\(lab.cniDirectory)"]
            """.write(toFile: "\(directory)/containers.conf", atomically: true, encoding: .utf8)
        try #"{"cniVersion":"1.0.0","name":"\#(Self.network)","plugins":[{"type":"paddock","driver":"vxlan","subnet":"198.19.0.0/16","capabilities":{"portMappings":true}}]}"#
            .write(toFile: "\(networks)/\(Self.network).conflist", atomically: true, encoding: .utf8)
        let image = "localhost/paddock-busybox:\(getpid())"
        let rootfs = try testbed.directory.subdirectory("podman/rootfs/bin")
        try testbed.run(["cp", "/bin/busybox", "\(rootfs)/busybox"])
        for applet in ["sh", "ping", "ip", "httpd"] { symlink("busybox", "\(rootfs)/\(applet)") }
        let token = "podman-\(testbed.prefix)"
        try token.write(toFile: "\(try testbed.directory.subdirectory("podman/rootfs/www"))/index.html", atomically: true, encoding: .utf8)
        try testbed.run(["tar", "-C", "\(directory)/rootfs", "-cf", "\(directory)/rootfs.tar", "."])
        let podman = Podman(directory: directory, namespace: lab.host.namespace)
        let imported = try podman.run(["import", "\(directory)/rootfs.tar", image])
        XCTAssertEqual(imported.status, .exited(0), imported.stderr)
        addTeardownBlock { _ = try? podman.run(["rm", "--all", "--force"]) }

        let ping = try podman.run(["run", "--rm", "--network", Self.network, image,
                                   "/bin/sh", "-c", "ip -4 -o addr show eth0 && ping -c 3 -W 2 \(peerAddress)"])
        XCTAssertEqual(ping.status, .exited(0), "podman run: \(ping.stdout)\(ping.stderr)")
        XCTAssertTrue(ping.stdout.contains("198.19.11."), "the container got an address from h1's block: \(ping.stdout)")
        XCTAssertTrue(ping.stdout.contains("3 packets received"), ping.stdout)

        // --rm made podman run DEL: the link and the lease are gone again.
        XCTAssertEqual(try hostVeths(lab), [])
        XCTAssertEqual(try leases(lab), [:])

        // `podman run -p`: podman hands the mapping to the plugin as runtimeConfig.portMappings
        // (the conflist declares the capability); the port answers from another host and from h1
        // itself, and `podman rm` (DEL) takes the DNAT rule away again.
        let web = try podman.run(["run", "-d", "--name", "web", "--network", Self.network, "-p", "18080:80", image,
                                  "/bin/httpd", "-f", "-p", "80", "-h", "/www"])
        XCTAssertEqual(web.status, .exited(0), "podman run -p: \(web.stdout)\(web.stderr)")
        let url = "http://\(lab.host.agentIP):18080/"
        func fetch(from namespace: String) throws -> String? {
            for _ in 0..<30 {
                let run = try testbed.run(in: namespace, ["curl", "-s", "--max-time", "2", url], check: false)
                if run.status == .exited(0) { return run.stdout }
                usleep(200_000)
            }
            return nil
        }
        XCTAssertEqual(try fetch(from: testbed.hosts["h2"]!.namespace), token, "host port from another host")
        XCTAssertEqual(try fetch(from: lab.host.namespace), token, "host port from h1 itself")
        XCTAssertEqual(try podman.run(["rm", "--force", "web"]).status, .exited(0))
        let table = try testbed.run(in: lab.host.namespace, ["nft", "list", "table", "ip", "paddock_vxlan"]).stdout
        XCTAssertFalse(table.contains("dnat to"), "podman rm withdrew the port:\n\(table)")
        XCTAssertEqual(try leases(lab), [:])

        // The same with `paddock cni serve` running in h1: the installed binary forwards to it.
        let log = "\(directory)/serve.log"
        try testbed.start(in: lab.host.namespace, [Harness.paddock, "cni", "serve", "--state-dir", lab.host.stateDir,
                                                   "--plugin-path", lab.host.pluginDir, "--config-dir", lab.host.configDir], output: log)
        for _ in 0..<500 where !FileSystem.exists("\(lab.host.stateDir)/cni.sock") { usleep(10_000) }
        let served = try podman.run(["run", "--rm", "--network", Self.network, image, "/bin/ping", "-c", "2", "-W", "2", peerAddress])
        XCTAssertEqual(served.status, .exited(0), "podman run with the server: \(served.stdout)\(served.stderr)")
        let lines = try String(contentsOfFile: log, encoding: .utf8)
        XCTAssertTrue(lines.contains("ADD ") && lines.contains("DEL "), "the server answered podman's ADD and DEL: \(lines)")
        XCTAssertEqual(try leases(lab), [:])
    }
}
