import ArgumentParser
import Foundation

/// The `vum` command line: for everyone who works with the exchange.
@main
struct VUM: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vum",
        abstract: "The VUM exchange's command line.",
        discussion: """
            Ask the exchange (zoek, detail, meld, bronnen), work with records in the VUM data standard \
            (valideer, genereer, import), check a bron's adapter before it goes live (conformance), and generate what the operator deploys (deploy definitions). \
            `vum <subcommand> --help` has examples and exit codes for each.
            """,
        subcommands: [
            Zoek.self, Detail.self, Meld.self, Bronnen.self, Valideer.self, Genereer.self, Import.self,
            Conformance.self, Deploy.self,
        ]
    )

    /// As the argument parser's own, but a usage error (a flag that is wrong, missing or unknown) exits 2,
    /// as every command's help says, like the daemons' configuration errors (the parser's default is 64);
    /// and one found while the command runs shows that command's usage, not the top level's.
    static func main() async {
        var command: any ParsableCommand
        do { command = try parseAsRoot() } catch { fail(error, text: fullMessage(for: error)) }
        do {
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let usage = usageString(for: type(of: command))
            let path = usage.split(separator: " ").prefix { !"[<-".contains($0.first ?? "[") }.joined(separator: " ")
            fail(
                error,
                text: "Error: \(message(for: error))\nUsage: \(usage)\n  See '\(path) --help' for more information.")
        }
    }

    private static func fail(_ error: any Error, text: String) -> Never {
        guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
        FileHandle.standardError.write(Data((text + "\n").utf8))
        Foundation.exit(2)
    }
}

/// Where the PC4 table is, for commands that need distances or real postcodes.
struct PC4Option: ParsableArguments {
    @Option(
        name: .customLong("pc4"),
        help: ArgumentHelp(
            "CSV of PC4 centroids (pc4,lat,lon,name). Default: $VUM_PC4_TABLE.", valueName: "path"))
    var path: String?

    func resolved() throws -> String {
        if let path { return path }
        if let env = ProcessInfo.processInfo.environment["VUM_PC4_TABLE"], !env.isEmpty { return env }
        throw ValidationError(
            "no PC4 table: pass --pc4 PATH or set VUM_PC4_TABLE (for example ../shared/data/nl-pc4.csv)")
    }
}
