-- A municipality's job-seeker CRM as it might look after fifteen years: Dutch local codes, a postcode
-- typed at the desk with a space, yes/no as J/N, language levels as words, an occupation catalogue of
-- its own. The worked example of Docs/aansluitkit.md section 9; mapping.yaml beside this file reads it
-- as werkzoekenden of the VUM standard. The integration tests load this very file.

CREATE SCHEMA crm;

-- The municipality's own occupation catalogue, with the CompetentNL occupation each code stands for.
CREATE TABLE crm.beroep (
    code           varchar(8) PRIMARY KEY,      -- 'B1004'
    omschrijving   text NOT NULL,
    competentnl    text                          -- the CompetentNL URI; NULL while not yet classified
);

CREATE TABLE crm.klant (
    klantnummer        integer PRIMARY KEY,
    status             char(1) NOT NULL DEFAULT 'A',   -- A actief, I ingeschreven maar niet bemiddelbaar, U uitgeschreven
    postcode           varchar(7) NOT NULL,             -- '3511 AB'
    reisafstand_km     smallint,
    reistijd_min       smallint,
    contact_akkoord    boolean,                         -- may an employer contact the job seeker directly?
    beschikbaar_per    date,
    ploegendienst      char(1),                         -- J ja, N nee, ? onbekend
    kantoortijden      char(1),                         -- J ja, N nee, ? onbekend
    uren_min           smallint,
    uren_max           smallint,
    opleidingsniveau   varchar(12),                     -- GEEN, BASIS, VMBO, MBO, HBO, WO, ONBEKEND, NVT
    gewijzigd_op       timestamp NOT NULL DEFAULT now()
);
-- The desk's search screen already looks up by postcode area; the mapping's pc4 uses this expression.
CREATE INDEX klant_pc4 ON crm.klant (left(upper(replace(postcode, ' ', '')), 4)) WHERE status = 'A';

CREATE TABLE crm.beroepswens (
    klantnummer  integer NOT NULL REFERENCES crm.klant,
    beroepcode   varchar(8) NOT NULL REFERENCES crm.beroep,
    volgorde     smallint NOT NULL DEFAULT 1
);
CREATE INDEX beroepswens_klant ON crm.beroepswens (klantnummer);

CREATE TABLE crm.rijbewijs (
    klantnummer  integer NOT NULL REFERENCES crm.klant,
    categorie    varchar(30) NOT NULL                    -- AUTO, AUTO+AANHANGER, VRACHTWAGEN+AANHANGER, BROMFIETS, BUS, ...
);
CREATE INDEX rijbewijs_klant ON crm.rijbewijs (klantnummer);

CREATE TABLE crm.taal (
    klantnummer  integer NOT NULL REFERENCES crm.klant,
    taal         varchar(20) NOT NULL,                   -- NEDERLANDS, ENGELS, DUITS, ...
    spreken      varchar(10),                            -- geen, matig, goed, zeer goed
    schrijven    varchar(10)
);
CREATE INDEX taal_klant ON crm.taal (klantnummer);

CREATE TABLE crm.contractwens (
    klantnummer  integer NOT NULL REFERENCES crm.klant,
    duur         varchar(10) NOT NULL,                   -- VAST, TIJDELIJK
    regeling     varchar(12)                              -- REGULIER, LEERBAAN, VRIJWILLIG, WERKERVARING
);
CREATE INDEX contractwens_klant ON crm.contractwens (klantnummer);
