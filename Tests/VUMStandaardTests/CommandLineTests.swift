import ArgumentParser
import Foundation
import Testing
import VUMStandaard
import VUMTesting

@testable import vum

/// The built `vum` executable, beside the test bundle.
let vumExecutable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    .appendingPathComponent("vum").path

@Suite("vum: argument parsing")
struct CommandLineParsingTests {
    @Test("valideer takes a file, --soort, --matchingprofiel and --max-meldingen")
    func valideer() throws {
        let command = try VUM.parseAsRoot([
            "valideer", "f.ndjson", "--soort", "vacatures", "--matchingprofiel",
            "--max-meldingen", "5",
        ])
        let v = try #require(command as? Valideer)
        #expect(v.file == "f.ndjson")
        #expect(v.soort == .vacatures)
        #expect(v.matchingprofiel)
        #expect(v.maxMeldingen == 5)
    }

    @Test("genereer takes the dataset, count, seed, start and the PC4 table")
    func genereer() throws {
        let command = try VUM.parseAsRoot([
            "genereer", "werkzoekenden", "--aantal", "10", "--seed", "3", "--vanaf", "5",
            "--pc4", "/x.csv",
        ])
        let g = try #require(command as? Genereer)
        #expect(g.soort == .werkzoekenden)
        #expect(g.aantal == 10 && g.seed == 3 && g.vanaf == 5)
        #expect(g.pc4.path == "/x.csv")
    }

    @Test("an unknown dataset or a negative count is refused with a message")
    func refused() {
        #expect(throws: (any Error).self) { try VUM.parseAsRoot(["genereer", "personen"]) }
        #expect(throws: (any Error).self) { try VUM.parseAsRoot(["genereer", "vacatures", "--aantal", "-1"]) }
        let message = VUM.fullMessage(for: CleanExit.helpRequest(Valideer.self))
            .split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(message.contains("Exit codes: 0 all records valid, 1 some records invalid, 2 the file cannot be read"))
    }

    @Test("the help of the main commands lists the subcommands and examples")
    func help() {
        let root = VUM.helpMessage()
        #expect(root.contains("valideer") && root.contains("genereer"))
        #expect(
            Genereer.helpMessage().split(whereSeparator: \.isWhitespace).joined(separator: " ")
                .contains("vum genereer werkzoekenden --aantal 1000"))
    }
}

@Suite("vum: end to end", .timeLimit(.minutes(5)))
struct CommandLineEndToEndTests {
    let pc4 = pc4TablePath

    func temporaryFile(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("vum-cli-\(UUID().uuidString)-\(name)").path
    }

    @Test("genereer writes valid records that valideer accepts (exit 0)")
    func generateThenValidate() async throws {
        let file = temporaryFile("wz.ndjson")
        defer { try? FileManager.default.removeItem(atPath: file) }
        let generated = try await ChildProcess.run(
            vumExecutable,
            [
                "genereer", "werkzoekenden", "--aantal", "300",
                "--seed", "11", "--pc4", pc4, "--uitvoer", file,
            ])
        #expect(generated.status == 0, "\(generated.output)")
        let result = try await ChildProcess.run(vumExecutable, ["valideer", file])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("300 werkzoekenden (NDJSON): 300 valid, 0 invalid"))
        #expect(result.output.contains("completeness of the valid records"))
    }

    @Test("invalid records give exit 1 with the position, id and path of each error; the rest still count")
    func invalidRecords() async throws {
        let file = temporaryFile("mixed.json")
        defer { try? FileManager.default.removeItem(atPath: file) }
        try """
        [{"idVacature":"v1","adres":{"postcode":"3511AB"}},
         {"idVacature":"v2","adres":{"postcode":"3511AB"},"codeWerkEnDenkniveauMinimaal":"9"},
         {"idVacature":"v3"}]
        """.write(toFile: file, atomically: true, encoding: .utf8)
        let result = try await ChildProcess.run(vumExecutable, ["valideer", file])
        #expect(result.status == 1)
        #expect(result.output.contains("3 vacatures (JSON array): 1 valid, 2 invalid"))
        #expect(
            result.output.contains(
                #"record 2 (id v2): codeWerkEnDenkniveauMinimaal: "9" is not a werk- en denkniveau code"#))
        #expect(result.output.contains("record 3 (id v3): adres: is required"))
    }

    @Test(
        "a wrong or missing flag exits 2 with the command's usage; an aggregator that is not there exits 1, saying why")
    func usageAndUnreachable() async throws {
        let nowhere = "http://127.0.0.1:\(freeTCPPort())"
        let oin = "00000001002220647000"
        let postcode = try await ChildProcess.run(
            vumExecutable, ["zoek", "werkzoekenden", "--postcode", "35", "--aggregator", nowhere, "--oin", oin])
        #expect(postcode.status == 2, "\(postcode.output)")
        #expect(postcode.output.contains("--postcode 35: a postcode is four digits and two letters"))
        #expect(postcode.output.contains("Usage: vum zoek"), "\(postcode.output)")
        let missing = try await ChildProcess.run(vumExecutable, ["zoek", "--postcode", "3511AB"])
        #expect(missing.status == 2, "\(missing.output)")
        let unknown = try await ChildProcess.run(vumExecutable, ["detail", "x", "--nope"])
        #expect(unknown.status == 2, "\(unknown.output)")
        let badOIN = try await ChildProcess.run(
            vumExecutable, ["detail", "x", "--oin", "123", "--aggregator", nowhere])
        #expect(badOIN.status == 2 && badOIN.output.contains("--oin 123: not an OIN"), "\(badOIN.output)")
        #expect(badOIN.output.contains("Usage: vum detail"), "\(badOIN.output)")
        #expect(try await ChildProcess.run(vumExecutable, ["zoek", "--help"]).status == 0)

        let refused = try await ChildProcess.run(
            vumExecutable, ["zoek", "werkzoekenden", "--postcode", "3511AB", "--aggregator", nowhere, "--oin", oin])
        #expect(refused.status == 1)
        #expect(
            refused.output.contains("vum: cannot reach the aggregator at \(nowhere): Connection refused\n"),
            "\(refused.output)")
        let unknownHost = try await ChildProcess.run(
            vumExecutable, ["bronnen", "--aggregator", "http://vum-aggregator.invalid"])
        #expect(unknownHost.status == 1)
        #expect(
            unknownHost.output.contains("cannot reach the aggregator at http://vum-aggregator.invalid: unknown host"),
            "\(unknownHost.output)")
    }

    @Test(
        "deploy definitions writes the definitions, the registry and a passwords file only its owner can read; a file where the folder should be is exit 1"
    )
    func deployDefinitions() async throws {
        let federatie = repositoryRoot.appendingPathComponent("deploy/federatie.example.yaml").path
        let output = temporaryFile("generated")
        defer { try? FileManager.default.removeItem(atPath: output) }
        let written = try await ChildProcess.run(
            vumExecutable,
            ["deploy", "definitions", "--federatie", federatie, "--output", output, "--development-passwords"])
        #expect(written.status == 0, "\(written.output)")
        #expect(try JSONValue.parse(try FileContents.bytes(output + "/definitions.json"))["users"] != nil)
        let attributes = try FileManager.default.attributesOfItem(atPath: output + "/passwords.env")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(try FileContents.text(output + "/passwords.env").contains("VUM_PASSWORD_"))
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: output).sorted() == [
                "definitions.json", "passwords.env", "registry.json",
            ])

        let notAFolder = output + "/registry.json"
        let refused = try await ChildProcess.run(
            vumExecutable, ["deploy", "definitions", "--federatie", federatie, "--output", notAFolder])
        #expect(refused.status == 1, "\(refused.output)")
        #expect(
            refused.output.contains("cannot write to \(notAFolder): it is a file, not a folder"), "\(refused.output)")
    }

    @Test("an unreadable file, or one that is no JSON array, gives exit 2")
    func unreadable() async throws {
        #expect(try await ChildProcess.run(vumExecutable, ["valideer", "/nonexistent/file.json"]).status == 2)
        let file = temporaryFile("broken.json")
        defer { try? FileManager.default.removeItem(atPath: file) }
        try "[{\"idVacature\":".write(toFile: file, atomically: true, encoding: .utf8)
        let broken = try await ChildProcess.run(vumExecutable, ["valideer", file])
        #expect(broken.status == 2)
        #expect(broken.output.contains("is not a JSON array of records"))
    }

    @Test("import loads a generated file into a store, replaces on re-import, deletes by id; bad files exit 1 or 2")
    func importIntoStore() async throws {
        let file = temporaryFile("wz.ndjson")
        let store = temporaryFile("bron.sqlite")
        defer {
            for f in [file, store, store + "-wal", store + "-shm"] { try? FileManager.default.removeItem(atPath: f) }
        }
        _ = try await ChildProcess.run(
            vumExecutable,
            [
                "genereer", "werkzoekenden", "--aantal", "200", "--seed", "4",
                "--pc4", pc4, "--uitvoer", file,
            ])
        let first = try await ChildProcess.run(vumExecutable, ["import", "--store", store, file])
        #expect(first.status == 0, "\(first.output)")
        #expect(first.output.contains("200 werkzoekenden read (NDJSON): 200 inserted, 0 replaced, 0 invalid"))
        #expect(first.output.contains("average completeness of the loaded records"))
        let again = try await ChildProcess.run(vumExecutable, ["import", "--store", store, file])
        #expect(again.output.contains("200 inserted") == false && again.output.contains("200 replaced"))
        let deleted = try await ChildProcess.run(
            vumExecutable,
            [
                "import", "--store", store, "--soort", "werkzoekenden",
                "--verwijder", "wz-4-0", "--verwijder", "wz-4-999",
            ])
        #expect(deleted.status == 0)
        #expect(deleted.output.contains("deleted 1 of 2 werkzoekenden; 1 not in the store"))

        let csv = temporaryFile("v.csv")
        defer { try? FileManager.default.removeItem(atPath: csv) }
        try "idVacature,adres.postcode\nv1,3511AB\nv2,12\n".write(toFile: csv, atomically: true, encoding: .utf8)
        let mixed = try await ChildProcess.run(vumExecutable, ["import", "--store", store, csv])
        #expect(mixed.status == 1)
        #expect(mixed.output.contains("line 3 (id v2): adres.postcode"))
        #expect(
            try await ChildProcess.run(vumExecutable, ["import", "--store", store, "/nonexistent.ndjson"]).status == 2)
        #expect(
            try await ChildProcess.run(vumExecutable, ["import", "--store", "/nonexistent/x.sqlite", file]).status == 2)
    }
}
