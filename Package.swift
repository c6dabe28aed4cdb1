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

let drivers = ["HostLocal", "LBHaproxy", "LBNginx"]
/// What each driver needs beyond the SDK.
let driverDependencies: [String: [Target.Dependency]] = [
    "LBHaproxy": ["PaddockLBModel", "LBHaproxyCore"], "LBNginx": ["PaddockLBModel"],
]

// Network foundation (issue #4): rtnetlink + netns layer, the shared container attach and IPAM.
let networkTargets: [Target] = [
    // setns(2)/unshare(2) wrappers: Swift's Glibc does not export them.
    .target(name: "CPaddockNamespace", path: "Sources/CPaddockNamespace"),
    .target(name: "PaddockNetlink", dependencies: ["CPaddockNamespace"]),
    .target(name: "PaddockNetworkCore", dependencies: ["PaddockNetlink", "PaddockJSON"]),
    .testTarget(name: "PaddockNetlinkTests", dependencies: ["PaddockNetlink"]),
    .testTarget(name: "PaddockNetworkCoreTests", dependencies: ["PaddockNetworkCore", "PaddockNetlink", "PaddockJSON"]),
    // The VXLAN driver (rancher-net's vxlan backend); its pure parts in VXLANCore with unit tests.
    .target(name: "VXLANCore", dependencies: ["PaddockNetworkCore", "PaddockNetlink", "PaddockJSON"], path: "Plugins/VXLAN/Core"),
    .testTarget(name: "VXLANCoreTests", dependencies: ["VXLANCore", "PaddockNetworkCore", "PaddockNetlink", "PaddockJSON"],
                path: "Plugins/VXLAN/Tests"),
    // One network ADD+DEL cycle through the in-process contract (bench/vxlan-attach).
    .executableTarget(name: "paddock-bench-attach", dependencies: ["PaddockHost", "PaddockCore", "PaddockPosix"],
                      path: "bench/NetworkAttach"),
] + swiftDriver("VXLAN", extra: ["VXLANCore", "PaddockNetworkCore", "PaddockNetlink"])
let package = Package(
    name: "Paddock",
    products: [
        .executable(name: "paddock", targets: ["paddock"]),
        .executable(name: "paddock-bench-contract", targets: ["paddock-bench-contract"]),
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
    ] + drivers.flatMap { swiftDriver($0, extra: driverDependencies[$0] ?? []) } + networkTargets
)

// The CNI adapter (issue #4): the protocol in a pure target, the plugin binary as its own lean
// executable (no argument parser), installed by `paddock cni install`.
package.products += [.executable(name: "paddock-cni", targets: ["paddock-cni"]),
                     .executable(name: "paddock-bench-cni", targets: ["paddock-bench-cni"]),
                     .executable(name: "paddock-cni-shim", targets: ["paddock-cni-shim"])]
package.targets += [
    .target(name: "PaddockCNI", dependencies: ["PaddockJSON"]),
    // The driver gateway over the host's runtime, shared by the binary and `paddock cni serve`.
    .target(name: "PaddockCNIHost", dependencies: ["PaddockCNI", "PaddockHost", "PaddockCore", "PaddockPosix", "PaddockJSON"]),
    .executableTarget(name: "paddock-cni", dependencies: ["PaddockCNI", "PaddockCNIHost", "PaddockPosix"],
                      path: "Sources/CNIPlugin", exclude: ["README.md"]),
    // What `cni install` puts in place as DIR/paddock: C, no Swift runtime; forwards to
    // `paddock cni serve` when it runs, else execs paddock-cni.
    .executableTarget(name: "paddock-cni-shim", path: "Sources/CNIShim"),
    .testTarget(name: "PaddockCNITests", dependencies: ["PaddockCNI", "PaddockJSON"]),
    .executableTarget(name: "paddock-bench-cni", dependencies: ["PaddockHost", "PaddockCore", "PaddockPosix"], path: "bench/CNICycle"),
]
package.targets.first { $0.name == "paddock" }!.dependencies += ["PaddockCNI", "PaddockCNIHost"]
package.products.append(.library(name: "VXLAN", type: .dynamic, targets: ["VXLAN"]))
