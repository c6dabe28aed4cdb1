// swift-tools-version: 6.0
import PackageDescription

/// A Swift driver is a dynamic library built from its Swift target plus a one-file C target that
/// carries the manifest in the `paddock_manifest` ELF section (Swift cannot place a string there).
func swiftDriver(_ name: String, extra: [Target.Dependency] = []) -> [Target] {
    [
        .target(
            name: "\(name)Manifest",
            dependencies: ["PluginABI"],
            path: "Plugins/\(name)/Manifest"
        ),
        .target(
            name: name,
            dependencies: ["PaddockPluginKit", .target(name: "\(name)Manifest")] + extra,
            path: "Plugins/\(name)/Sources"
        ),
    ]
}

let drivers = ["HostLocal", "LBHaproxy", "LBNginx", "VXLAN", "IPsec", "StorageNFS", "StorageEBS"]
/// What each driver needs beyond the SDK.
let driverDependencies: [String: [Target.Dependency]] = [
    "LBHaproxy": ["PaddockLBModel", "LBHaproxyCore", "PaddockPosix"], "LBNginx": ["PaddockLBModel", "PaddockPosix"],
    "VXLAN": ["VXLANCore", "PaddockNetworkCore", "PaddockNetlink", "PaddockNetworkDriverKit"],
    "IPsec": ["IPsecCore", "PaddockNetworkCore", "PaddockNetlink", "PaddockNetworkDriverKit", "PaddockPosix"],
    "StorageNFS": ["StorageNFSCore", "CNFS", "PaddockPosix"],
    "StorageEBS": ["StorageEBSCore", "PaddockAWS", "PaddockPosix"],
]

let package = Package(
    name: "Paddock",
    products: [
        .executable(name: "paddock", targets: ["paddock"]),
        // The CNI plugin binary `paddock cni install` puts into a CNI bin dir: lean, no argument parser.
        .executable(name: "paddock-cni", targets: ["paddock-cni"]),
        // What `cni install` puts in place as DIR/paddock: C, forwards to `paddock cni serve` or execs paddock-cni.
        .executable(name: "paddock-cni-shim", targets: ["paddock-cni-shim"]),
        // The NFS driver's userspace mount helper (libfuse3 + libnfs).
        .executable(name: "paddock-nfs-fuse", targets: ["paddock-nfs-fuse"]),
        .executable(name: "paddock-bench-contract", targets: ["paddock-bench-contract"]),
        .executable(name: "paddock-bench-attach", targets: ["paddock-bench-attach"]),
        .executable(name: "paddock-bench-cni", targets: ["paddock-bench-cni"]),
        .executable(name: "paddock-bench-hostports", targets: ["paddock-bench-hostports"]),
        .executable(name: "paddock-bench-ipsec", targets: ["paddock-bench-ipsec"]),
        .library(name: "PaddockHost", targets: ["PaddockHost"]),
        .library(name: "PaddockPluginKit", targets: ["PaddockPluginKit"]),
    ] + drivers.map { .library(name: $0, type: .dynamic, targets: [$0]) },
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    ],
    targets: [
        // The contract: C headers only (plus an empty unit SwiftPM needs to build a C target).
        .target(name: "PluginABI", path: "Sources/PluginABI"),
        // Host logic that knows no syscalls: manifests, JSON, schemas, state model, rendering.
        .target(name: "PaddockCore", dependencies: ["PluginABI", "PaddockJSON"]),
        // JSON values shared (as source, statically linked) by the host and the plugin SDK.
        .target(name: "PaddockJSON"),
        // The thin layer over libc: dlopen, files, locks, processes. Errors carry errno + call.
        .target(name: "PaddockPosix"),
        // The composition: discovery, probing, loading, state, host services, commands' logic.
        // libffi (Debian libffi-dev), for extension actions.
        .systemLibrary(name: "CFFI", path: "Sources/CFFI", pkgConfig: "libffi", providers: [.apt(["libffi-dev"])]),
        .target(
            name: "PaddockHost",
            dependencies: [
                "PaddockCore", "PaddockPosix", "PluginABI", "CFFI",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .executableTarget(
            name: "paddock",
            dependencies: [
                "PaddockHost", "PaddockCNI", "PaddockCNIHost", "PaddockVolume",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/Host"
        ),

        // ---- Network (issue #4) ----
        // setns(2)/unshare(2) wrappers: Swift's Glibc does not export them.
        .target(name: "CPaddockNamespace", path: "Sources/CPaddockNamespace"),
        // rtnetlink (links, addresses, routes, neighbours, bridge FDB) and network namespaces.
        .target(name: "PaddockNetlink", dependencies: ["CPaddockNamespace"]),
        // Host ports and host NAT for every network driver (nftables, iptables FORWARD exemption, conntrack).
        .target(name: "PaddockHostPorts", dependencies: ["PaddockJSON", "PaddockPosix"], exclude: ["README.md"]),
        // The container attach shared by network drivers: bridge, veth, IPAM, CNI result.
        .target(name: "PaddockNetworkCore", dependencies: ["PaddockNetlink", "PaddockJSON", "PaddockHostPorts"]),
        // The CNI protocol (spec 1.0/1.1), pure; and the CNI plugin binary over the host's loader.
        .target(name: "PaddockCNI", dependencies: ["PaddockJSON"]),
        // The driver gateway over the host's runtime, shared by the binary and `paddock cni serve`.
        .target(name: "PaddockCNIHost", dependencies: ["PaddockCNI", "PaddockHost", "PaddockCore", "PaddockPosix", "PaddockJSON"]),
        .executableTarget(name: "paddock-cni", dependencies: ["PaddockCNI", "PaddockCNIHost", "PaddockPosix"],
                          path: "Sources/CNIPlugin", exclude: ["README.md"]),
        // C, no Swift runtime: the CNI binary's fast path to a running `paddock cni serve`.
        .executableTarget(name: "paddock-cni-shim", path: "Sources/CNIShim",
                         linkerSettings: [.unsafeFlags(["-static-executable"])]),
        // The host's per-plugin store as the network core's LeaseStore, for the Swift network drivers.
        .target(name: "PaddockNetworkDriverKit", dependencies: ["PaddockNetworkCore", "PaddockPluginKit"]),
        // Drivers' pure parts, unit-tested on their own: a test cannot link a driver target itself
        // (every driver exports paddock_plugin_entry).
        .target(name: "VXLANCore", dependencies: ["PaddockNetworkCore", "PaddockNetlink", "PaddockJSON"], path: "Plugins/VXLAN/Core"),
        .target(name: "IPsecCore", dependencies: ["PaddockJSON"], path: "Plugins/IPsec/Core"),

        // ---- Load balancers (issue #5) ----
        // The load-balancer model (rancher lb_config), shared as source by the LB drivers.
        .target(name: "PaddockLBModel", dependencies: ["PaddockJSON"]),
        .target(name: "LBHaproxyCore", dependencies: ["PaddockLBModel"], path: "Plugins/LBHaproxy/Core"),

        // ---- Storage (issue #6) ----
        // `paddock flexvolume`, `paddock volume-plugin serve` (Docker's protocol over our own small
        // HTTP/1.1 server) and `paddock volume`, over any storage driver.
        .target(name: "PaddockHTTP"),
        .target(
            name: "PaddockVolume",
            dependencies: ["PaddockHost", "PaddockCore", "PaddockPosix", "PaddockJSON", "PaddockHTTP", "PluginABI",
                           .product(name: "Crypto", package: "swift-crypto")],
            exclude: ["README.md"]
        ),
        // NFS: libnfs (Debian libnfs-dev) to provision over NFS; libfuse3 for the userspace mount helper.
        .systemLibrary(name: "CNFS", path: "Sources/CNFS", pkgConfig: "libnfs", providers: [.apt(["libnfs-dev"])]),
        .systemLibrary(name: "CFuse3", path: "Sources/CFuse3", pkgConfig: "fuse3", providers: [.apt(["libfuse3-dev"])]),
        .target(name: "StorageNFSCore", dependencies: ["PaddockJSON"], path: "Plugins/StorageNFS/Core"),
        .executableTarget(name: "paddock-nfs-fuse", dependencies: ["CNFS", "CFuse3"], path: "Plugins/StorageNFS/FuseHelper"),
        // AWS Signature V4 (swift-crypto) and the EBS driver's pure parts (EC2 Query, XML, waiters).
        .target(name: "PaddockAWS", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "StorageEBSCore", dependencies: ["PaddockJSON"], path: "Plugins/StorageEBS/Core"),

        // The Swift driver SDK: statically linked into each Swift driver; only C types cross.
        .target(name: "PaddockPluginKit", dependencies: ["PluginABI", "PaddockJSON"]),

        // ---- Benchmarks: apart from tests (bench/) ----
        .executableTarget(name: "paddock-bench-contract", dependencies: ["PaddockHost", "PaddockCore", "PaddockPosix", "PluginABI"],
                          path: "bench/ContractCall"),
        .executableTarget(name: "paddock-bench-attach", dependencies: ["PaddockHost", "PaddockCore", "PaddockPosix"],
                          path: "bench/NetworkAttach"),
        .executableTarget(name: "paddock-bench-cni", dependencies: ["PaddockHost", "PaddockCore", "PaddockPosix", "PaddockNetlink"],
                          path: "bench/CNICycle"),
        .executableTarget(name: "paddock-bench-hostports", dependencies: ["PaddockHostPorts", "PaddockPosix"],
                          path: "bench/HostPorts"),
        .executableTarget(name: "paddock-bench-ipsec", dependencies: ["PaddockHost", "PaddockCore", "PaddockPosix"],
                          path: "bench/IPsecThroughput"),

        // ---- Tests ----
        .testTarget(name: "PaddockCoreTests", dependencies: ["PaddockCore", "PaddockJSON", "PaddockAWS",
                                                          .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "PaddockHostTests", dependencies: ["PaddockHost", "PaddockCore", "PaddockPosix"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "PaddockNetlinkTests", dependencies: ["PaddockNetlink"]),
        .testTarget(name: "PaddockNetworkCoreTests", dependencies: ["PaddockNetworkCore", "PaddockNetlink", "PaddockJSON"]),
        .testTarget(name: "PaddockHostPortsTests", dependencies: ["PaddockHostPorts", "PaddockJSON", "PaddockPosix"]),
        .testTarget(name: "PaddockCNITests", dependencies: ["PaddockCNI", "PaddockJSON"]),
        .testTarget(name: "VXLANCoreTests", dependencies: ["VXLANCore", "PaddockNetworkCore", "PaddockNetlink", "PaddockJSON"],
                    path: "Plugins/VXLAN/Tests"),
        .testTarget(name: "IPsecCoreTests", dependencies: ["IPsecCore", "PaddockJSON"], path: "Plugins/IPsec/Tests"),
        .testTarget(name: "LBHaproxyCoreTests", dependencies: ["LBHaproxyCore", "PaddockLBModel"], path: "Plugins/LBHaproxy/Tests"),
        .testTarget(name: "PaddockVolumeTests", dependencies: ["PaddockVolume", "PaddockHTTP", "PaddockJSON", "PaddockPosix"]),
        .testTarget(name: "StorageNFSCoreTests", dependencies: ["StorageNFSCore", "PaddockJSON"], path: "Plugins/StorageNFS/Tests"),
        .testTarget(name: "StorageEBSCoreTests", dependencies: ["StorageEBSCore", "PaddockJSON"], path: "Plugins/StorageEBS/Tests"),
    ] + drivers.flatMap { swiftDriver($0, extra: driverDependencies[$0] ?? []) }
)
