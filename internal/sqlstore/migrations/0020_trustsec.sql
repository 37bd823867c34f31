-- As published (issue 7): when the city publishes (locks) a month of the
-- monthly reports, the summary rows the cockpit reads for that month are
-- copied here in the same transaction. An accepted revision changes
-- agg_month afterwards; agg_published keeps what was published, so the
-- cockpit can show both bases. agg_published_period marks the published
-- months (a month may have been published with no rows at all).
CREATE TABLE agg_published_period (
    year     INTEGER NOT NULL,
    month    INTEGER NOT NULL,
    taken_at BIGINT NOT NULL,
    PRIMARY KEY (year, month)
);

CREATE TABLE agg_published (
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

-- Months published before this migration: their snapshot is the data as
-- it stands now (revisions accepted before the upgrade are included; the
-- reporting revisions page still rebuilds those from the history).
INSERT INTO agg_published_period (year, month, taken_at)
    SELECT year, month, locked_at FROM period_lock WHERE domain = 'monthly_report';
INSERT INTO agg_published (year, month, region_code, cluster_code, tier, section, sei, specialized, n, n_base,
    output, value_added, revenue, profit, rd_expense, investment, tax, energy, employees,
    b_output, b_value_added, b_revenue, b_profit, b_rd_expense, b_investment, b_tax, b_energy, b_employees)
    SELECT m.year, m.month, m.region_code, m.cluster_code, m.tier, m.section, m.sei, m.specialized, m.n, m.n_base,
        m.output, m.value_added, m.revenue, m.profit, m.rd_expense, m.investment, m.tax, m.energy, m.employees,
        m.b_output, m.b_value_added, m.b_revenue, m.b_profit, m.b_rd_expense, m.b_investment, m.b_tax, m.b_energy, m.b_employees
    FROM agg_month m JOIN agg_published_period p ON p.year = m.year AND p.month = m.month;

-- Task tables synced from internal/tasks/tables.json (issue 7): the
-- version and content digest of each table last written to target, so a
-- start writes a table again only when its data changed.
CREATE TABLE task_table_sync (
    table_code TEXT PRIMARY KEY,
    version    TEXT NOT NULL,
    digest     TEXT NOT NULL,
    synced_at  BIGINT NOT NULL
);

-- Firms a district's enterprise import names that are not the district's
-- (issue 8): they wait here for the city to confirm, whether or not the
-- credit code is registered in another district, so the import's answer
-- does not tell the district which is the case.
CREATE TABLE enterprise_request (
    id           @ID@,
    credit_code  TEXT NOT NULL,
    region_code  TEXT NOT NULL,
    name         TEXT NOT NULL,
    payload      TEXT NOT NULL,
    requested_by BIGINT NOT NULL,
    requested_at BIGINT NOT NULL,
    state        TEXT NOT NULL,
    decided_by   BIGINT NOT NULL DEFAULT 0,
    decided_at   BIGINT NOT NULL DEFAULT 0,
    reason       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX enterprise_request_region ON enterprise_request(region_code, state);
CREATE INDEX enterprise_request_code ON enterprise_request(credit_code, state);

-- Personal data of the registry (issue 8): the legal representative and
-- the contact person with a phone number, as a real registry holds them,
-- kept apart from the enterprise row so that every read of it is a
-- deliberate join and lists mask it for roles without personal.read.
CREATE TABLE enterprise_contact (
    enterprise_id BIGINT PRIMARY KEY REFERENCES enterprise(id),
    legal_rep     TEXT NOT NULL,
    contact_name  TEXT NOT NULL,
    contact_phone TEXT NOT NULL,
    updated_at    BIGINT NOT NULL
);
