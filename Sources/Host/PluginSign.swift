import ArgumentParser
import PaddockCore
import PaddockHost
import PaddockPosix

struct PluginSign: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Sign a plugin file with an ed25519 key.",
        discussion: """
            Writes a detached signature to FILE.sig beside the plugin. A host trusts the signature \
            when the key's public half (KEY.pub from `paddock plugin keygen`) is in the keys/ \
            directory of its config dir. A signature that exists is always checked; with \
            --require-signatures (or "require_signatures": true in paddock.json) unsigned plugins \
            are refused too. Re-sign after every rebuild: any change to the file voids it.
            """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The plugin file to sign.") var path: String
    @Option(help: ArgumentHelp("The private key file (from `paddock plugin keygen`).", valueName: "key")) var key: String

    func run() throws {
        do {
            let privateKey = try SigningKey.loadPrivate(key)
            let candidate = PluginScanner(pluginPath: []).inspect(path: path, directory: AtomicFile.parentDirectoryPath(of: path))
            guard candidate.manifest != nil else {
                throw HostError(.invalidInput, "\(path) is not a plugin: \(candidate.reason)")
            }
            let signature = try PluginSignature.sign(file: path, key: privateKey)
            let output = PluginSignature.path(for: path)
            try AtomicFile.write(Array(signature.text.utf8), to: output, mode: 0o644)
            print(global.format == .json ? JSONValue.object(["signature": .string(output)]).serialized() : "Wrote \(output).")
        } catch {
            throw fail(error)
        }
    }
}

struct PluginKeygen: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Make an ed25519 key pair for signing plugins.",
        discussion: """
            Writes PREFIX.key (private, mode 0600) and PREFIX.pub. Keep the .key secret; copy the \
            .pub into the keys/ directory of every host's config dir that should trust it.
            """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Path prefix for the two files.") var prefix: String

    func run() throws {
        do {
            let (privatePath, publicPath) = try SigningKey.generate(prefix: prefix)
            print(global.format == .json
                  ? JSONValue.object(["private": .string(privatePath), "public": .string(publicPath)]).serialized()
                  : "Wrote \(privatePath) (keep it secret) and \(publicPath).")
        } catch {
            throw fail(error)
        }
    }
}
