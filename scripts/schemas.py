#!/usr/bin/env python3
"""Writes the JSON Schemas (draft 2020-12) of the VUM records and selectievragen to Docs/schemas/.

    python3 scripts/schemas.py            # write the schemas
    python3 scripts/schemas.py --check    # exit 1 when Docs/schemas/ differs from what this writes

It also writes Sources/VUMAggregator/HTTP/SelectievraagSchemas.swift: the two selectievraag schemas in the dialect
of OpenAPI 3.0, for the aggregator's OpenAPI document.

One description here, shared by matching profile and detail, so the two cannot drift apart.
Tests (Tests/VUMStandaardTests/SchemaTests.swift) validate the Swift encoding against these files.
"""
import json
import os
import sys

BASE = "https://vum-exchange.example/schemas/"
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Docs", "schemas")


def s(max_length=None, **extra):
    d = {"type": "string", "minLength": 1}
    if max_length:
        d["maxLength"] = max_length
    d.update(extra)
    return d


def i(lo, hi):
    return {"type": "integer", "minimum": lo, "maximum": hi}


def enum_int(*values):
    return {"type": "integer", "enum": list(values)}


def enum_str(*values):
    return {"type": "string", "enum": list(values)}


def obj(props, required=(), description=None):
    d = {"type": "object", "properties": props, "additionalProperties": False, "minProperties": 1}
    if required:
        d["required"] = list(required)
    if description:
        d["description"] = description
    return d


def arr(items):
    return {"type": "array", "items": items, "minItems": 1}


def ref(name):
    return {"$ref": f"#/$defs/{name}"}


DATE = s(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$", description="YYYY-MM-DD")
POSTCODE = s(pattern=r"^[0-9]{4}[a-zA-Z]{2}$")
URI = s(200, pattern=r"^https?://\S+$", description="CompetentNL URI")
RECORD_ID = s(200, pattern=r"^[a-zA-Z0-9_.-]+$")
INDICATIE = enum_int(0, 1, 2)
JANEE = enum_int(1, 2)
NIVEAU_TAAL = enum_int(0, 1, 2, 3, 4, 8)
EMAIL = s(254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

DEFS = {
    "beroep": obj({"codeBeroepsnaam": URI}, ["codeBeroepsnaam"]),
    "sector": obj({"codeSbi": i(0, 99999)}, ["codeSbi"]),
    "werktijden": obj({
        "aantalWerkurenPerWeekMinimaal": i(0, 99),
        "aantalWerkurenPerWeekMaximaal": i(0, 99),
        "indicatieKantoortijden": INDICATIE,
    }),
    "contractvorm": obj({
        "codeTypeArbeidscontract": enum_str("B", "O"),
        "codeTypeOvereenkomst": enum_str("01", "02", "03", "04"),
    }),
    "vervoermiddel": obj({
        "codeVervoermiddel": enum_int(1, 2, 3, 4, 5, 9),
        "indicatieBeschikbaarVoorUitvoeringWerk": INDICATIE,
        "indicatieBeschikbaarVoorWoonWerkverkeer": INDICATIE,
    }, ["codeVervoermiddel"]),
    "taalbeheersing": obj({
        "codeTaal": s(pattern=r"^[a-z]{3}$", description="ISO 639-3"),
        "codeNiveauTaalbeheersingMondeling": NIVEAU_TAAL,
        "codeNiveauTaalbeheersingSchriftelijk": NIVEAU_TAAL,
        "codeNiveauTaalbeheersingLezen": NIVEAU_TAAL,
        "codeNiveauTaalbeheersingLuisteren": NIVEAU_TAAL,
    }, ["codeTaal"]),
    "rijbewijs": obj({"codeSoortRijbewijs": enum_str(
        "A", "A1", "A2", "AM", "B", "B+", "BE", "C1", "C1E", "C", "CE", "D1", "D1E", "D", "DE", "T")},
        ["codeSoortRijbewijs"]),
    "competentie": obj({"codeCompetentie": URI}, ["codeCompetentie"]),
    "opleiding": obj({
        "codeOpleidingsnaam": s(10, pattern=r"^[0-9]+$"),
        "codeNiveauOpleiding": enum_int(1, 2, 3, 4, 5, 6, 9),
        "codeStatusOpleiding": enum_int(0, 1, 2, 3),
        "indicatieDiploma": enum_int(0, 1, 2, 8),
        "datumAanvangVolgenOpleiding": DATE,
        "datumEindeVolgenOpleiding": DATE,
        "datumDiploma": DATE,
        "naamOpleidingsinstituut": s(500),
        "toelichtingOpleiding": s(2000),
    }),
    "cursus": obj({
        "naamCursus": s(120),
        "indicatieCertificaat": enum_int(0, 1, 2, 8),
        "datumCertificaat": DATE,
        "datumAanvangVolgenCursus": DATE,
        "datumEindeVolgenCursus": DATE,
        "naamOpleidingsinstituut": s(500),
        "toelichtingCursus": s(2000),
    }),
    "werkervaringWerkzoekende": obj({
        "beroep": ref("beroep"),
        "naamOrganisatie": s(70),
        "datumAanvangWerkzaamheden": DATE,
        "datumEindeWerkzaamheden": DATE,
        "toelichtingWerkervaring": s(2000),
    }),
    "interesse": obj({"naamInteresse": s(120)}, ["naamInteresse"]),
    "webadres": obj({"url": s(1000), "codeWebadres": enum_int(1, 2, 3, 4)}, ["url"]),
    "contactpersoon": obj({
        "naamContactpersoonAfdeling": s(35),
        "telefoonnummer": s(14),
        "emailadres": EMAIL,
    }),
}

MOBILITEIT = obj({
    "bemiddelingspostcode": POSTCODE,
    "maximaleReisafstand": i(0, 999),
    "maximaleReistijd": i(0, 999),
}, ["bemiddelingspostcode"])

KWALIFICATIE = obj({
    "codeWerkEnDenkniveauWerkzoekende": i(0, 7),
    "competentiebeheersing": arr(ref("competentie")),
    "taalbeheersing": arr(ref("taalbeheersing")),
    "rijbewijs": arr(ref("rijbewijs")),
    "opleiding": arr(ref("opleiding")),
    "cursus": arr(ref("cursus")),
    "werkervaring": arr(ref("werkervaringWerkzoekende")),
    "interesse": arr(ref("interesse")),
})

WERKZOEKENDE_M = {
    "idWerkzoekende": RECORD_ID,
    "indicatieBeschikbaarheidContactgegevens": JANEE,
    "mobiliteit": MOBILITEIT,
    "bemiddelingsberoep": arr(ref("beroep")),
    "sector": arr(ref("sector")),
    "flexibiliteit": obj({
        "datumAanvangBeschikbaarVoorWerk": DATE,
        "datumEindeBeschikbaarVoorWerk": DATE,
        "indicatieOnregelmatigWerkOfPloegendienst": INDICATIE,
    }),
    "werktijden": ref("werktijden"),
    "contractvorm": arr(ref("contractvorm")),
    "vervoermiddel": arr(ref("vervoermiddel")),
    "arbeidsmarktkwalificatie": KWALIFICATIE,
}
WERKZOEKENDE_D = {
    "emailadres": arr(EMAIL),
    "telefoonnummer": arr(s(14)),
    "webadres": arr(ref("webadres")),
    "contactpersoon": arr(ref("contactpersoon")),
    "persoonlijkePresentatie": s(2000),
    "eisAanWerk": obj({
        "indicatieAanpassingWerkomgeving": INDICATIE,
        "indicatieBegeleiding": INDICATIE,
        "indicatieWerkvariatie": INDICATIE,
    }),
    "indicatieLdrRegistratie": JANEE,
}


def werkgever(detail):
    props = {"handelsnaamOrganisatie": s(500), "sector": arr(ref("sector")), "webadres": arr(ref("webadres"))}
    if detail:
        props["contactpersoon"] = arr(ref("contactpersoon"))
    return obj(props)


def vacature_props(detail):
    props = {
        "idVacature": RECORD_ID,
        "naamVacature": s(120),
        "omschrijvingVacature": s(2000),
        "sluitingsdatumVacature": DATE,
        "codeWerkEnDenkniveauMinimaal": enum_str("0", "1", "2", "3", "4", "5", "6", "7"),
        "adres": obj({
            "postcode": POSTCODE,
            "straatnaam": s(24),
            "huisnummer": i(0, 99999),
            "huisnummertoevoeging": s(6),
        }, ["postcode"]),
        "werkgever": werkgever(detail),
        "sector": ref("sector"),
        "beroep": ref("beroep"),
        "arbeidsVoorwaarden": obj({
            "datumAanvangWerkzaamheden": DATE,
            "datumEindeWerkzaamheden": DATE,
            "omschrijvingArbeidsvoorwaarden": s(2000),
            "salarisIndicatie": s(100),
        }),
        "sollicitatiewijze": arr(obj({
            "codeSollicitatiewijze": enum_str("1", "2", "3", "4"),
            "webadres": ref("webadres"),
        })),
        "werkervaring": arr(obj({"aantalJarenWerkzaamInBeroep": i(0, 99)}, ["aantalJarenWerkzaamInBeroep"])),
        "werktijden": ref("werktijden"),
        "flexibiliteit": obj({
            "datumEindeBeschikbaarVoorWerk": DATE,
            "indicatieOnregelmatigWerkOfPloegendienst": INDICATIE,
        }),
        "contractvorm": arr(ref("contractvorm")),
        "vervoermiddel": arr(ref("vervoermiddel")),
        "rijbewijs": arr(ref("rijbewijs")),
        "taalbeheersing": arr(ref("taalbeheersing")),
        "opleiding": arr(ref("opleiding")),
        "cursus": arr(ref("cursus")),
        "competentiebeheersing": arr(ref("competentie")),
    }
    if detail:
        props["nummerVacature"] = s(11)
    return props


def record_schema(name, title, description, props, required):
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": BASE + name + ".schema.json",
        "title": title,
        "description": description + " Empty values (\"\", [], {}) are never sent.",
        **obj(props, required),
        "$defs": DEFS,
    }


def op(name, value):
    return obj({name: value}, [name])


def elem_match_all(element):
    return op("$all", {"type": "array", "minItems": 1, "items": op("$elemMatch", element)})


TAAL_QUESTION = obj({
    "codeTaal": op("$eq", s(pattern=r"^[a-z]{3}$")),
    "codeNiveauTaalbeheersingMondeling": op("$gte", i(2, 4)),
    "codeNiveauTaalbeheersingSchriftelijk": op("$gte", i(2, 4)),
}, ["codeTaal"])
RIJBEWIJS_QUESTION = obj({"codeSoortRijbewijs": op("$eq", DEFS["rijbewijs"]["properties"]["codeSoortRijbewijs"])},
                         ["codeSoortRijbewijs"])
HOURS = {
    "werktijden.aantalWerkurenPerWeekMaximaal": op("$gte", i(1, 99)),
    "werktijden.aantalWerkurenPerWeekMinimaal": op("$lte", i(1, 99)),
}
GEBIED = obj({"postcode": POSTCODE, "afstand": i(0, 999)}, ["postcode", "afstand"])


def elem_match_or(field, value):
    branch = op(field, op("$eq", value))
    return op("$elemMatch", op("$or", {"type": "array", "minItems": 1, "items": branch}))


def question_schema(name, title, props):
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": BASE + name + ".schema.json",
        "title": title,
        "description": "A selectievraag as this exchange applies it. Other keys are allowed: a bron does not "
                       "apply them and reports them back as genegeerdeCriteria.",
        "type": "object",
        "required": ["selectiegebied"],
        "properties": {"selectiegebied": GEBIED, **props},
    }


SCHEMAS = {
    "werkzoekende-matchingprofiel": record_schema(
        "werkzoekende-matchingprofiel", "Werkzoekende matchingprofiel",
        "A job seeker's matching profile, as a zoekvraag returns it. No contact data, personal presentation, "
        "work adjustments or LDR registration.", WERKZOEKENDE_M, ["idWerkzoekende", "mobiliteit"]),
    "werkzoekende": record_schema(
        "werkzoekende", "Werkzoekende (detail)",
        "A job seeker's full record as a bron holds it and a detail request may return it.",
        {**WERKZOEKENDE_M, **WERKZOEKENDE_D}, ["idWerkzoekende", "mobiliteit"]),
    "vacature-matchingprofiel": record_schema(
        "vacature-matchingprofiel", "Vacature matchingprofiel",
        "A vacancy's matching profile, as a zoekvraag returns it. No vacancy number, no employer contacts.",
        vacature_props(False), ["idVacature", "adres"]),
    "vacature": record_schema(
        "vacature", "Vacature (detail)", "A vacancy's full record.", vacature_props(True), ["idVacature", "adres"]),
    "selectievraag-werkzoekenden": question_schema("selectievraag-werkzoekenden", "Selectievraag voor werkzoekenden", {
        "bemiddelingsberoep": elem_match_or("codeBeroepsnaam", URI),
        "contractvorm": op("$elemMatch", op("$or", {"type": "array", "minItems": 1, "items": {"oneOf": [
            op("codeTypeArbeidscontract", op("$eq", enum_str("B", "O"))),
            op("codeTypeOvereenkomst", op("$eq", enum_str("01", "02", "03", "04"))),
        ]}})),
        "flexibiliteit.indicatieOnregelmatigWerkOfPloegendienst": op("$eq", enum_int(1, 2)),
        "arbeidsmarktkwalificatie.rijbewijs": elem_match_all(RIJBEWIJS_QUESTION),
        "arbeidsmarktkwalificatie.taalbeheersing": elem_match_all(TAAL_QUESTION),
        "datumAanvangBeschikbaarVoorWerk": op("$lte", DATE),
        "werktijden.indicatieKantoortijden": op("$eq", enum_int(1, 2)),
        **HOURS,
    }),
    "selectievraag-vacatures": question_schema("selectievraag-vacatures", "Selectievraag voor vacatures", {
        "beroep.codeBeroepsnaam": op("$eq", URI),
        "codeWerkEnDenkniveauMinimaal": {"oneOf": [
            {"type": "object", "additionalProperties": False, "required": ["$gte", "$lt"],
             "properties": {"$gte": enum_str("1", "2", "3", "4", "5", "6"), "$lt": {"const": "7"}}},
            op("$eq", {"const": "7"}),
        ]},
        "datumAanvangWerkzaamheden": op("$gte", DATE),
        "flexibiliteit.indicatieOnregelmatigWerkOfPloegendienst": op("$eq", enum_int(1, 2)),
        "rijbewijs": elem_match_all(RIJBEWIJS_QUESTION),
        "taalbeheersing": elem_match_all(TAAL_QUESTION),
        **HOURS,
    }),
}


# Messages on the bus (Docs/aansluitkit.md). The record definitions are shared with the record schemas.
BRON_ID = s(63, pattern=r"^[a-z0-9][a-z0-9-]*$", description="bron id: a-z 0-9 -")
GEGEVENSSET = enum_str("werkzoekenden", "vacatures")
VRAAG_ID = s(100)
FOUT = obj({"code": s(20), "message": s(2000), "details": s(10000)}, ["code", "message"])
MESSAGE_DEFS = {
    **DEFS,
    "werkzoekendeMatchingprofiel": obj(WERKZOEKENDE_M, ["idWerkzoekende", "mobiliteit"]),
    "werkzoekende": obj({**WERKZOEKENDE_M, **WERKZOEKENDE_D}, ["idWerkzoekende", "mobiliteit"]),
    "vacatureMatchingprofiel": obj(vacature_props(False), ["idVacature", "adres"]),
    "vacature": obj(vacature_props(True), ["idVacature", "adres"]),
    "fout": FOUT,
}


def message_schema(name, title, description, props, required, extra=None):
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": BASE + name + ".schema.json",
        "title": title,
        "description": description,
        "type": "object",
        "properties": props,
        "required": required,
        "additionalProperties": False,
    }
    if extra:
        schema.update(extra)
    schema["$defs"] = MESSAGE_DEFS
    return schema


def matches_of(kind):
    return {"if": {"properties": {"gegevensset": {"const": kind}}},
            "then": {"properties": {"matches": {"items": ref("werkzoekendeMatchingprofiel" if kind == "werkzoekenden"
                                                             else "vacatureMatchingprofiel")}}}}


MESSAGES = {
    "bericht-zoekvraag": message_schema(
        "bericht-zoekvraag", "vum.zoekvraag.v1",
        "A zoekvraag from the aggregator to every bron (exchange vum.zoekvragen). correlation_id = vraagID.",
        {"vraagID": VRAAG_ID, "gegevensset": GEGEVENSSET,
         "vraagObject": {"type": "object", "required": ["selectiegebied"],
                         "description": "the selectievraag exactly as the bemiddelaar sent it"},
         "maximumAantalResultaten": i(1, 10000)},
        ["vraagID", "gegevensset", "vraagObject"]),
    "bericht-gegevensset": message_schema(
        "bericht-gegevensset", "vum.gegevensset.v1",
        "One bron's answer (exchange vum.antwoorden, routing key = reply_to of the zoekvraag, mandatory).",
        {"vraagID": VRAAG_ID, "bronID": BRON_ID, "gegevensset": GEGEVENSSET, "matches": {"type": "array", "maxItems": 10000},
         "maximumAantalResultatenBereikt": {"type": "boolean"},
         "genegeerdeCriteria": {"type": "array", "items": {"type": "string"}},
         "duurMs": {"type": "integer", "minimum": 0}, "fout": ref("fout")},
        ["vraagID", "bronID", "gegevensset", "matches", "maximumAantalResultatenBereikt", "genegeerdeCriteria"],
        {"allOf": [matches_of("werkzoekenden"), matches_of("vacatures")]}),
    "bericht-detailverzoek": message_schema(
        "bericht-detailverzoek", "vum.detailverzoek.v1",
        "A detail request to one bron (exchange vum.detailverzoeken, routing key = bron id). "
        "correlation_id = the detail request's id.",
        {"vraagID": VRAAG_ID, "gegevensset": GEGEVENSSET, "recordID": RECORD_ID},
        ["vraagID", "gegevensset", "recordID"]),
    "bericht-detail": message_schema(
        "bericht-detail", "vum.detail.v1",
        "A bron's answer to a detail request: exactly one record, or a fout.",
        {"bronID": BRON_ID, "gegevensset": GEGEVENSSET, "werkzoekende": ref("werkzoekende"),
         "vacature": ref("vacature"), "fout": ref("fout")},
        ["bronID", "gegevensset"],
        {"oneOf": [{"required": ["werkzoekende"]}, {"required": ["vacature"]}, {"required": ["fout"]}]}),
    "bericht-aanmelding": message_schema(
        "bericht-aanmelding", "vum.aanmelding.v1",
        "An adapter's aanmelding, heartbeat or afmelding (exchange vum.aanmeldingen).",
        {"bronID": BRON_ID, "soort": enum_str("aanmelding", "heartbeat", "afmelding"),
         "gegevenssets": {"type": "array", "items": GEGEVENSSET, "uniqueItems": True},
         "versie": s(100), "ondersteundeCriteria": {"type": "array", "items": {"type": "string"}},
         "heartbeatIntervalMs": i(100, 3600000)},
        ["bronID", "soort", "gegevenssets", "versie", "ondersteundeCriteria", "heartbeatIntervalMs"]),
    "bericht-procesgebeurtenis": message_schema(
        "bericht-procesgebeurtenis", "vum.procesgebeurtenis.v1",
        "A procesgegeven for auditors (exchange vum.procesgegevens, routing key = soort). Never profile content: "
        "no property outside this list is allowed.",
        {"eventID": s(100), "soort": enum_str(
            "zoekvraag.ontvangen", "zoekvraag.geweigerd", "zoekvraag.verstuurd", "gegevensset.ontvangen",
            "gegevensset.te_laat", "bron.fout", "zoekvraag.afgerond", "detail.opgevraagd", "detail.geleverd",
            "detail.geweigerd", "bron.aangemeld", "bron.afgemeld", "bron.offline", "datakwaliteit.gemeld"),
         "tijdMs": {"type": "integer", "minimum": 0}, "component": s(100), "uitkomst": s(20),
         "vraagID": VRAAG_ID, "fromParty": s(20), "viaParty": s(20), "suwi": {"type": "boolean"},
         "gegevensset": GEGEVENSSET, "bronID": BRON_ID,
         "criteriaSleutels": {"type": "array", "items": {"type": "string"}}, "reden": s(2000),
         "verwachteBronnen": {"type": "array", "items": BRON_ID}, "aantal": {"type": "integer", "minimum": 0},
         "maximumAantalResultatenBereikt": {"type": "boolean"},
         "genegeerdeCriteria": {"type": "array", "items": {"type": "string"}},
         "duurMs": {"type": "integer", "minimum": 0}, "teLaatMs": {"type": "integer", "minimum": 0},
         "aantallenPerStatus": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0},
                                "propertyNames": {"enum": ["beantwoord", "geen_resultaten", "fout", "te_laat", "offline"]}},
         "statusPerBron": {"type": "object", "additionalProperties": enum_str(
             "beantwoord", "geen_resultaten", "fout", "te_laat", "offline"), "propertyNames": BRON_ID},
         "gedeeltelijk": {"type": "boolean"}, "antwoordMs": {"type": "integer", "minimum": 0}, "vumID": s(500, pattern=r"^[a-zA-Z0-9_.-]+$")},
        ["eventID", "soort", "tijdMs", "component", "uitkomst"]),
    "bericht-datakwaliteit": message_schema(
        "bericht-datakwaliteit", "vum.datakwaliteit.v1",
        "A bemiddelaar's report of poor data in a record it received, sent by the exchange to the bron that holds it "
        "(exchange vum.detailverzoeken, routing key = bron id). The bron logs it and counts it per record; the audit "
        "trail gets only the reden code (datakwaliteit.gemeld), never the toelichting.",
        {"meldingID": s(100), "vraagID": VRAAG_ID, "gegevensset": GEGEVENSSET,
         "recordID": s(200, pattern=r"^[a-zA-Z0-9_.-]+$"),
         "reden": enum_str("onjuist", "verouderd", "onvolledig", "contact-onbereikbaar", "dubbel", "anders"),
         "toelichting": s(2000)},
        ["meldingID", "vraagID", "gegevensset", "recordID", "reden"]),
    "bericht-verzoek": message_schema(
        "bericht-verzoek", "vum.verzoek.v1",
        "A bus-native bemiddelaar's request (exchange vum.verzoeken): a zoekvraag or a detail, answered with "
        "vum.verzoekantwoord.v1 to reply_to. Header x-vum-from-party (the OIN) is required and must be the party "
        "registered for the sending broker user.",
        {"soort": enum_str("zoek", "detail"), "gegevensset": GEGEVENSSET,
         "vraagObject": {"type": "object", "description": "the selectievraag (soort zoek)"},
         "vumID": s(500, pattern=r"^[a-zA-Z0-9_.-]+$"), "deadlineMs": i(1, 600000)},
        ["soort", "gegevensset"],
        {"oneOf": [{"properties": {"soort": {"const": "zoek"}}, "required": ["vraagObject"]},
                   {"properties": {"soort": {"const": "detail"}}, "required": ["vumID"]}]}),
    "bericht-verzoekantwoord": message_schema(
        "bericht-verzoekantwoord", "vum.verzoekantwoord.v1",
        "The exchange's answer to a vum.verzoek.v1: antwoord is exactly the REST API's response body "
        "(merged matches or the detail), fout its error body.",
        {"antwoord": {"type": "object"}, "fout": ref("fout")},
        [],
        {"oneOf": [{"required": ["antwoord"]}, {"required": ["fout"]}]}),
}
SCHEMAS.update(MESSAGES)


def rendered():
    return {name + ".schema.json": json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
            for name, schema in SCHEMAS.items()}


def openapi_dialect(schema):
    """The schema as OpenAPI 3.0 reads it: no $schema or $id, `const` spelled as a one-value `enum`."""
    if isinstance(schema, list):
        return [openapi_dialect(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {}
    for key, value in schema.items():
        if key in ("$schema", "$id"):
            continue
        if key == "const":
            out["enum"] = [value]
        else:
            out[key] = openapi_dialect(value)
    return out


SWIFT_SCHEMAS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Sources", "VUMAggregator", "HTTP",
                             "SelectievraagSchemas.swift")


def swift_schemas():
    """The selectievraag schemas for the aggregator's OpenAPI document, so that the document served describes the
    question the aggregator validates, from the same description as Docs/schemas."""
    def literal(name):
        text = json.dumps(openapi_dialect(SCHEMAS[name]), indent=1, ensure_ascii=False)
        assert '"##' not in text
        return '##"""\n' + "\n".join("        " + line for line in text.splitlines()) + '\n        """##'
    return (
        "// Generated by scripts/schemas.py from the schemas it writes to Docs/schemas/selectievraag-*.schema.json, in\n"
        "// the dialect of OpenAPI 3.0 (no $schema or $id, `const` as a one-value `enum`). Do not edit: change\n"
        "// scripts/schemas.py and run it; a test fails while this file is stale.\n"
        "\n"
        "/// The selectievraag schemas, as the OpenAPI document's components.\n"
        "enum SelectievraagSchemas {\n"
        "    static let werkzoekenden = " + literal("selectievraag-werkzoekenden") + "\n"
        "\n"
        "    static let vacatures = " + literal("selectievraag-vacatures") + "\n"
        "}\n")


def main():
    check = "--check" in sys.argv
    os.makedirs(ROOT, exist_ok=True)
    stale = []
    outputs = {os.path.join(ROOT, name): text for name, text in rendered().items()}
    outputs[SWIFT_SCHEMAS] = swift_schemas()
    for path, text in outputs.items():
        name = os.path.relpath(path, os.path.join(ROOT, "..", ".."))
        current = open(path, encoding="utf-8").read() if os.path.exists(path) else None
        if current != text:
            stale.append(name)
            if not check:
                with open(path, "w", encoding="utf-8") as f:
                    f.write(text)
    if check and stale:
        print("out of date: " + ", ".join(stale) + " (run python3 scripts/schemas.py)")
        sys.exit(1)


if __name__ == "__main__":
    main()
