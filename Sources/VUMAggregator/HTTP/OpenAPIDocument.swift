import VUMExchange
import VUMStandaard

/// The OpenAPI 3.0 document of the bemiddelaar API, served at `/api/v3/openapi.json`. It describes what the
/// server enforces, so that a client generated from it sends what is accepted: the selectievraag schemas
/// (generated with Docs/schemas by scripts/schemas.py), this exchange's own OIN as the only `X-VUM-toParty`,
/// the version headers' major version. What no schema can say (a postcode that lies in no known area, a date
/// that is not in the calendar) is answered with `400.01`. A test validates the document with an independent
/// OpenAPI validator and checks that every route it lists answers; another fuzzes the API against it.
public enum OpenAPIDocument {
    /// The document of the exchange with OIN `exchange`.
    public static func json(exchange: OIN) -> JSONValue {
        try! JSONValue.parse(text(exchange: exchange.rawValue))
    }

    /// The parameters every call takes: the parties and the version headers.
    static func parties(_ exchange: String) -> String {
        """
        {"name":"X-VUM-fromParty","in":"header","required":true,"description":"OIN of the responsible party","schema":{"type":"string","pattern":"^[0-9]{20}$"}},
        {"name":"X-VUM-viaParty","in":"header","required":false,"description":"OIN of its processor (absent or empty: fromParty)","schema":{"type":"string","pattern":"^([0-9]{20})?$"}},
        {"name":"X-VUM-toParty","in":"header","required":false,"description":"OIN of this exchange (or empty)","schema":{"type":"string","enum":["\(exchange)",""]}},
        {"name":"API-Version","in":"header","required":false,"description":"major version 3","schema":{"type":"string","pattern":"^3([.].*)?$","example":"3.0.0"}},
        {"name":"X-VUM-berichtVersie","in":"header","required":false,"description":"major version 3","schema":{"type":"string","pattern":"^3([.].*)?$","example":"3.0.0"}}
        """
    }

    static let errors = """
        "400":{"description":"400.01 invalid request, 400.02 incomplete request","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Fout"}}}},
        "401":{"description":"not a registered bemiddelaar, or (mutual TLS) a client certificate without an OIN","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Fout"}}}},
        "403":{"description":"not allowed to ask this dataset (job-seeker profiles: SUWI parties only), or (mutual TLS) the client certificate is of another party than the headers name","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Fout"}}}},
        "500":{"description":"500.1 internal error","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Fout"}}}},
        "503":{"description":"service unavailable (starting, shutting down, busy: too many zoekvragen open, audit trail unavailable, bron did not answer)","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Fout"}}}}
        """

    static func matches(_ path: String, _ summary: String, _ schema: String, _ exchange: String) -> String {
        """
        "/api/v3/\(path)/matches":{"post":{"summary":"\(summary)","operationId":"\(path)Matches",
          "parameters":[\(parties(exchange)),
            {"name":"X-VUM-deadline-ms","in":"header","required":false,"description":"extension: the deadline in ms (default 5000, capped by the operator)","schema":{"type":"integer","minimum":1}},
            {"name":"X-VUM-verzoekID","in":"header","required":false,"description":"extension: an id of your choice to follow this zoekvraag at /api/v3/voortgang/{verzoekID} while it runs","schema":{"type":"string","pattern":"^[a-zA-Z0-9._-]{1,100}$"}}],
          "requestBody":{"required":true,"content":{"application/json":{"schema":{"type":"object","required":["vraagObject"],
            "properties":{"vraagObject":{"$ref":"#/components/schemas/\(schema)"}}}}}},
          "responses":{"200":{"description":"the merged answer of every bron",
            "headers":{"X-VUM-gedeeltelijk":{"description":"extension: true when some bron did not answer","schema":{"type":"string","enum":["true","false"]}}},
            "content":{"application/json":{"schema":{"$ref":"#/components/schemas/Matches"}}},
            "links":{
              "detail":{"operationId":"\(path)Detail","parameters":{"vumID":"$response.body#/matches/0/vumID"},
                "description":"the detail record of a match (at most 10 per zoekvraag)"},
              "datakwaliteit":{"operationId":"\(path)Datakwaliteit","parameters":{"vumID":"$response.body#/matches/0/vumID"},
                "description":"report poor data of a match to its bron"}}},\(errors)}}}
        """
    }

    static func detail(_ path: String, _ key: String, _ exchange: String) -> String {
        """
        "/api/v3/\(path)/{vumID}":{"get":{"summary":"the detail record behind a vumID","operationId":"\(path)Detail",
          "parameters":[{"name":"vumID","in":"path","required":true,"schema":{"type":"string","pattern":"^[a-zA-Z0-9_.-]{1,500}$"}},\(parties(exchange))],
          "responses":{"200":{"description":"the detail record, with its vumID instead of the bron's id",
            "content":{"application/json":{"schema":{"type":"object","required":["bronID","\(key)"],
              "properties":{"bronID":{"type":"string"},"\(key)":{"type":"object"}}}}}},
            "404":{"description":"unknown vumID: not issued to this party, expired, or tampered with","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Fout"}}}},
            "429":{"description":"429.01 detail limit of the zoekvraag reached","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Fout"}}}},
            \(errors)}}}
        """
    }

    static func datakwaliteit(_ path: String, _ exchange: String) -> String {
        """
        "/api/v3/\(path)/{vumID}/datakwaliteit":{"post":{"summary":"extension: report poor data of a record you received; it goes to its bron","operationId":"\(path)Datakwaliteit",
          "parameters":[{"name":"vumID","in":"path","required":true,"schema":{"type":"string","pattern":"^[a-zA-Z0-9_.-]{1,500}$"}},\(parties(exchange))],
          "requestBody":{"required":true,"content":{"application/json":{"schema":{"type":"object","required":["reden"],"properties":{
            "reden":{"type":"string","enum":[\(DatakwaliteitBericht.Reden.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ","))]},
            "toelichting":{"type":"string","nullable":true,"maxLength":2000,"description":"goes to the bron only, never into the audit trail (null or empty: none)"}}}}}},
          "responses":{"202":{"description":"the bron's queue holds the report",
            "content":{"application/json":{"schema":{"type":"object","required":["meldingID","vumID"],
              "properties":{"meldingID":{"type":"string"},"vumID":{"type":"string"}}}}}},
            "404":{"description":"unknown vumID: not issued to this party, expired, or tampered with","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Fout"}}}},
            \(errors)}}}
        """
    }

    static func text(exchange: String) -> String {
        """
        {"openapi":"3.0.3",
         "info":{"title":"VUM exchange: bemiddelaar API","version":"3.0.0",
           "description":"Compatible with the VUM koppelvlak 3.0 bemiddelaar contract. Extension fields (vumBronnen, vumGedeeltelijk) and headers (X-VUM-gedeeltelijk, X-VUM-deadline-ms) can be ignored by a koppelvlak 3.0 client."},
         "paths":{
          \(matches("werkzoekendeProfielen", "ask every bron for job-seeker profiles (SUWI parties only)",
                    "SelectievraagWerkzoekenden", exchange)),
          \(matches("vacatures", "ask every bron for vacancies", "SelectievraagVacatures", exchange)),
          \(detail("werkzoekendeProfielen", "werkzoekende", exchange)),
          \(detail("vacatures", "vacature", exchange)),
          \(datakwaliteit("werkzoekendeProfielen", exchange)),
          \(datakwaliteit("vacatures", exchange)),
          "/api/v3/voortgang/{verzoekID}":{"get":{"summary":"extension: where each bron stands in your open zoekvraag","operationId":"voortgang",
            "parameters":[{"name":"verzoekID","in":"path","required":true,"schema":{"type":"string","pattern":"^[a-zA-Z0-9._-]{1,100}$"}},\(parties(exchange))],
            "responses":{"200":{"description":"the open zoekvraag's bronnen: beantwoord, geen_resultaten or fout (with count and ms since the fan-out), wachtend, offline",
              "content":{"application/json":{"schema":{"type":"object","required":["vraagID","deadlineMs","bronnen"],"properties":{
                "vraagID":{"type":"string"},"deadlineMs":{"type":"integer"},
                "bronnen":{"type":"array","items":{"type":"object","required":["bronID","status"],"properties":{
                  "bronID":{"type":"string"},"status":{"type":"string","enum":["beantwoord","geen_resultaten","fout","wachtend","offline"]},
                  "aantal":{"type":"integer"},"duurMs":{"type":"integer"}}}}}}}}},
              "404":{"description":"no open zoekvraag of yours with this id (not started, finished, or another party's)","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Fout"}}}},
              \(errors)}}},
          "/api/v3/openapi.json":{"get":{"summary":"this document","operationId":"openapi","responses":{"200":{"description":"OpenAPI 3.0","content":{"application/json":{"schema":{"type":"object"}}}}}}},
          "/health":{"get":{"summary":"ready to take zoekvragen","operationId":"health","responses":{"200":{"description":"ok"},"503":{"description":"starting, shutting down, without its broker, or its request store does not answer"}}}},
          "/bronnen":{"get":{"summary":"the presence registry","operationId":"bronnen","responses":{"200":{"description":"every bron seen, online or not",
            "content":{"application/json":{"schema":{"type":"object","properties":{"bronnen":{"type":"array","items":{"type":"object",
              "properties":{"bronID":{"type":"string"},"online":{"type":"boolean"},"gegevenssets":{"type":"array","items":{"type":"string"}},
                "versie":{"type":"string"},"laatstGezienMs":{"type":"integer"},
                "klokverschilMs":{"type":"integer","description":"the bron's clock minus the exchange's, estimated from its heartbeats (positive: ahead); absent without an estimate"}}}}}}}}}}}}
         },
         "components":{"schemas":{
          "SelectievraagWerkzoekenden":\(SelectievraagSchemas.werkzoekenden),
          "SelectievraagVacatures":\(SelectievraagSchemas.vacatures),
          "Fout":{"type":"object","required":["code","message"],"properties":{"code":{"type":"string","example":"400.01"},"message":{"type":"string"},"details":{"type":"string"}}},
          "BronStatus":{"type":"object","required":["bronID","status","aantal"],"properties":{
            "bronID":{"type":"string"},"status":{"type":"string","enum":["beantwoord","geen_resultaten","fout","te_laat","offline"]},
            "aantal":{"type":"integer"},"duurMs":{"type":"integer"},"maximumAantalResultatenBereikt":{"type":"boolean"},
            "genegeerdeCriteria":{"type":"array","items":{"type":"string"}},"fout":{"$ref":"#/components/schemas/Fout"}}},
          "Matches":{"type":"object","required":["vraagID","maximumAantalResultatenBereikt","matches"],"properties":{
            "vraagID":{"type":"string"},"maximumAantalResultatenBereikt":{"type":"boolean"},
            "matches":{"type":"array","items":{"type":"object","required":["vumID"],"description":"a matching profile with its vumID","properties":{"vumID":{"type":"string"}}}},
            "vumGedeeltelijk":{"type":"boolean","description":"extension: some bron was te_laat or offline"},
            "vumBronnen":{"type":"array","description":"extension: the status per bron","items":{"$ref":"#/components/schemas/BronStatus"}}}}
         }}}
        """
    }
}
