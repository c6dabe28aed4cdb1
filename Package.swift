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

let drivers = ["HostLocal", "LBHaproxy", "LBNginx", "StorageNFS"]
    + ["StorageEBS"]
/// What each driver needs beyond the SDK.
let driverDependencies: [String: [Target.Dependency]] = [
    "LBHaproxy": ["PaddockLBModel", "LBHaproxyCore"], "LBNginx": ["PaddockLBModel"],
    "StorageNFS": ["StorageNFSCore", "CNFS"],
    "StorageEBS": ["StorageEBSCore", "PaddockAWS"],
]

let package = Package(
    name: "Paddock",
    products: [
        .executable(name: "paddock", targets: ["paddock"]),
        .executable(name: "paddock-bench-contract", targets: ["paddock-bench-contract"]),
        .library(name: "PaddockHost", targets: ["PaddockHost"]),
        .library(name: "PaddockPluginKit", targets: ["PaddockPluginKit"]),
        .executable(name: "paddock-nfs-fuse", targets: ["paddock-nfs-fuse"]),
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
                "PaddockHost",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/Host"
        ),
        // Benchmarks live apart from tests (bench/run).
        .executableTarget(
            name: "paddock-bench-contract",
            dependencies: ["PaddockHost", "PaddockCore", "PaddockPosix", "PluginABI"],
            path: "bench/ContractCall"
        ),
        // The haproxy driver's pure parts (rendering, health mapping), unit-tested on their own:
        // a test cannot link a driver target itself (every driver exports paddock_plugin_entry).
        .target(name: "LBHaproxyCore", dependencies: ["PaddockLBModel"], path: "Plugins/LBHaproxy/Core"),
        .testTarget(name: "LBHaproxyCoreTests", dependencies: ["LBHaproxyCore", "PaddockLBModel"], path: "Plugins/LBHaproxy/Tests"),
        // AWS Signature V4 for the AWS-backed drivers (StorageEBS), on swift-crypto.
        .target(name: "PaddockAWS", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        // The EBS driver's pure parts (options, EC2 Query encoding, XML answers, waiters, errors).
        .target(name: "StorageEBSCore", dependencies: ["PaddockJSON"], path: "Plugins/StorageEBS/Core"),
        .testTarget(name: "StorageEBSCoreTests", dependencies: ["StorageEBSCore", "PaddockJSON"], path: "Plugins/StorageEBS/Tests"),
        // The load-balancer model (rancher lb_config), shared as source by the LB drivers.
        .target(name: "PaddockLBModel", dependencies: ["PaddockJSON"]),
        // The Swift driver SDK: statically linked into each Swift driver; only C types cross.
        .target(name: "PaddockPluginKit", dependencies: ["PluginABI", "PaddockJSON"]),
        .testTarget(name: "PaddockCoreTests", dependencies: ["PaddockCore", "PaddockJSON", "PaddockAWS",
                                                          .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(
            name: "PaddockHostTests",
            dependencies: ["PaddockHost", "PaddockCore", "PaddockPosix"],
            resources: [.copy("Fixtures")]
        ),
        // The NFS storage driver: libnfs (Debian libnfs-dev) to provision over NFS, its pure parts
        // (options, names, records) unit-tested apart, and the userspace mount helper (C, libfuse3).
        .systemLibrary(name: "CNFS", path: "Sources/CNFS", pkgConfig: "libnfs", providers: [.apt(["libnfs-dev"])]),
        .systemLibrary(name: "CFuse3", path: "Sources/CFuse3", pkgConfig: "fuse3", providers: [.apt(["libfuse3-dev"])]),
        .target(name: "StorageNFSCore", dependencies: ["PaddockJSON"], path: "Plugins/StorageNFS/Core"),
        .testTarget(name: "StorageNFSCoreTests", dependencies: ["StorageNFSCore", "PaddockJSON"], path: "Plugins/StorageNFS/Tests"),
        .executableTarget(name: "paddock-nfs-fuse", dependencies: ["CNFS", "CFuse3"], path: "Plugins/StorageNFS/FuseHelper"),
    ] + drivers.flatMap { swiftDriver($0, extra: driverDependencies[$0] ?? []) }
)

// The storage adapters (issue #6): `paddock flexvolume`, `paddock volume-plugin serve` (the Docker
// volume-plugin protocol over a small HTTP/1.1 server of our own) and `paddock volume`, over any
// storage driver.
package.targets += [
    .target(name: "PaddockHTTP"),
    .target(
        name: "PaddockVolume",
        dependencies: ["PaddockHost", "PaddockCore", "PaddockPosix", "PaddockJSON", "PaddockHTTP", "PluginABI",
                       .product(name: "Crypto", package: "swift-crypto")],
        exclude: ["README.md"]
    ),
    .testTarget(name: "PaddockVolumeTests", dependencies: ["PaddockVolume", "PaddockHTTP", "PaddockJSON", "PaddockPosix"]),
]
package.targets.first { $0.name == "paddock" }!.dependencies.append("PaddockVolume")
