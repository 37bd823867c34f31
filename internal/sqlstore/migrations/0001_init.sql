-- Initial schema. One file serves both engines: the migration runner
-- replaces @ID@ with the engine's auto-increment primary key. Dates are
-- ISO-8601 TEXT and instants are unix seconds (BIGINT) so that both
-- engines scan them the same way; money is BIGINT fen.

CREATE TABLE region (
    code        TEXT PRIMARY KEY,
    name_zh     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    kind        TEXT NOT NULL,
    area        TEXT NOT NULL,
    position    INTEGER NOT NULL
);

CREATE TABLE cluster_catalogue (
    id             TEXT PRIMARY KEY,
    version        TEXT NOT NULL,
    effective_from TEXT NOT NULL,
    effective_to   TEXT NOT NULL,
    source         TEXT NOT NULL
);

CREATE TABLE cluster (
    catalogue_id TEXT NOT NULL REFERENCES cluster_catalogue(id),
    code         TEXT NOT NULL,
    tier         TEXT NOT NULL,
    grp          TEXT NOT NULL,
    name_zh      TEXT NOT NULL,
    name_en      TEXT NOT NULL,
    position     INTEGER NOT NULL,
    PRIMARY KEY (catalogue_id, code)
);

-- industry_map resolves an industry class to its section, cluster and SEI
-- domain for one statistical year, using the catalogues in force that year.
CREATE TABLE industry_map (
    year          INTEGER NOT NULL,
    industry_code TEXT NOT NULL,
    section       TEXT NOT NULL,
    cluster_code  TEXT NOT NULL,
    tier          TEXT NOT NULL,
    sei_domain    INTEGER NOT NULL,
    PRIMARY KEY (year, industry_code)
);

CREATE TABLE indicator (
    code          TEXT PRIMARY KEY,
    name_zh       TEXT NOT NULL,
    name_en       TEXT NOT NULL,
    unit          TEXT NOT NULL,
    frequency     TEXT NOT NULL,
    kind          TEXT NOT NULL,
    aggregation   TEXT NOT NULL,
    measure       TEXT NOT NULL,
    department    TEXT NOT NULL,
    source        TEXT NOT NULL,
    alert_e4      BIGINT,
    excellent_e4  BIGINT,
    higher_better INTEGER NOT NULL,
    position      INTEGER NOT NULL
);

CREATE TABLE enterprise (
    id            @ID@,
    credit_code   TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    region_code   TEXT NOT NULL REFERENCES region(code),
    industry_code TEXT NOT NULL,
    founded       TEXT NOT NULL,
    land_mu100    BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX enterprise_region ON enterprise(region_code);
CREATE INDEX enterprise_industry ON enterprise(industry_code);

CREATE TABLE enterprise_year (
    enterprise_id BIGINT NOT NULL REFERENCES enterprise(id),
    year          INTEGER NOT NULL,
    above_scale   INTEGER NOT NULL,
    employees     INTEGER NOT NULL,
    revenue       BIGINT NOT NULL,
    size          TEXT NOT NULL,
    PRIMARY KEY (enterprise_id, year)
);
CREATE INDEX enterprise_year_year ON enterprise_year(year, above_scale);

CREATE TABLE title (
    enterprise_id BIGINT NOT NULL REFERENCES enterprise(id),
    kind          TEXT NOT NULL,
    level         TEXT NOT NULL,
    granted_on    TEXT NOT NULL,
    valid_until   TEXT NOT NULL,
    PRIMARY KEY (enterprise_id, kind, granted_on)
);
CREATE INDEX title_kind ON title(kind, granted_on);

-- Year-to-date cumulative values as reported (point fields as at month end).
CREATE TABLE monthly_report (
    enterprise_id BIGINT NOT NULL REFERENCES enterprise(id),
    year          INTEGER NOT NULL,
    month         INTEGER NOT NULL,
    output        BIGINT NOT NULL,
    value_added   BIGINT NOT NULL,
    revenue       BIGINT NOT NULL,
    profit        BIGINT NOT NULL,
    rd_expense    BIGINT NOT NULL,
    investment    BIGINT NOT NULL,
    tax           BIGINT NOT NULL,
    energy        BIGINT NOT NULL,
    employees     BIGINT NOT NULL,
    PRIMARY KEY (enterprise_id, year, month)
);
CREATE INDEX monthly_report_period ON monthly_report(year, month);

-- agg_month is the summary the cockpit reads: for each year's above-scale
-- set, cumulative sums per month and cell, next to the same enterprises'
-- values a year earlier (the comparable basis). It is rebuilt for the
-- affected years inside the transaction that changes reports.
CREATE TABLE agg_month (
    year          INTEGER NOT NULL,
    month         INTEGER NOT NULL,
    region_code   TEXT NOT NULL,
    cluster_code  TEXT NOT NULL,
    tier          TEXT NOT NULL,
    section       TEXT NOT NULL,
    sei           INTEGER NOT NULL,
    specialized   INTEGER NOT NULL,
    n             BIGINT NOT NULL,
    n_base        BIGINT NOT NULL,
    output        BIGINT NOT NULL,
    value_added   BIGINT NOT NULL,
    revenue       BIGINT NOT NULL,
    profit        BIGINT NOT NULL,
    rd_expense    BIGINT NOT NULL,
    investment    BIGINT NOT NULL,
    tax           BIGINT NOT NULL,
    energy        BIGINT NOT NULL,
    employees     BIGINT NOT NULL,
    b_output      BIGINT NOT NULL,
    b_value_added BIGINT NOT NULL,
    b_revenue     BIGINT NOT NULL,
    b_profit      BIGINT NOT NULL,
    b_rd_expense  BIGINT NOT NULL,
    b_investment  BIGINT NOT NULL,
    b_tax         BIGINT NOT NULL,
    b_energy      BIGINT NOT NULL,
    b_employees   BIGINT NOT NULL,
    PRIMARY KEY (year, month, region_code, cluster_code, section, sei, specialized)
);

-- Price index series used to deflate current-price values; index_e4 is the
-- index with the same period a year earlier = 100, times 10^4.
CREATE TABLE deflator (
    series   TEXT NOT NULL,
    year     INTEGER NOT NULL,
    month    INTEGER NOT NULL,
    index_e4 BIGINT NOT NULL,
    PRIMARY KEY (series, year, month)
);

CREATE TABLE target (
    indicator_code TEXT NOT NULL REFERENCES indicator(code),
    scope_kind     TEXT NOT NULL,
    scope_code     TEXT NOT NULL,
    year           INTEGER NOT NULL,
    comparator     TEXT NOT NULL,
    value_e4       BIGINT NOT NULL,
    source         TEXT NOT NULL,
    PRIMARY KEY (indicator_code, scope_kind, scope_code, year)
);

-- Values of indicators that no enterprise report carries (manual entry or
-- another system's interface), e.g. the manufacturing share of GDP.
CREATE TABLE indicator_value (
    indicator_code TEXT NOT NULL REFERENCES indicator(code),
    scope_kind     TEXT NOT NULL,
    scope_code     TEXT NOT NULL,
    year           INTEGER NOT NULL,
    month          INTEGER NOT NULL,
    value_e4       BIGINT NOT NULL,
    source         TEXT NOT NULL,
    PRIMARY KEY (indicator_code, scope_kind, scope_code, year, month)
);

CREATE TABLE app_user (
    id            @ID@,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL,
    region_code   TEXT NOT NULL,
    enterprise_id BIGINT NOT NULL,
    disabled      INTEGER NOT NULL,
    created_at    BIGINT NOT NULL
);

CREATE TABLE session (
    token_hash TEXT PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES app_user(id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX session_by_user ON session(user_id);

CREATE TABLE import_log (
    id         @ID@,
    kind       TEXT NOT NULL,
    filename   TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    rows       BIGINT NOT NULL,
    user_id    BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
