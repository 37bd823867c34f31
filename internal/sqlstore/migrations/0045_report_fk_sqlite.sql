-- Report imports (issue 13 item 4): SQLite checked monthly_report's foreign
-- key to enterprise once per inserted row, about a fifth of a bulk insert's
-- time. PostgreSQL dropped the constraint in 0027; the writers check every
-- written firm in the write transaction (checkReportFirms in report.go) and
-- no code deletes enterprises. SQLite cannot drop a constraint, so the
-- table is rebuilt without it (nothing references monthly_report), with
-- the same columns, key and indexes. PostgreSQL has nothing to do.
-- sqlite only
CREATE TABLE monthly_report_0045 (
    enterprise_id BIGINT NOT NULL,
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
-- sqlite only
INSERT INTO monthly_report_0045 SELECT enterprise_id, year, month, output, value_added, revenue, profit, rd_expense, investment, tax, energy, employees FROM monthly_report ORDER BY enterprise_id, year, month;
-- sqlite only
DROP TABLE monthly_report;
-- sqlite only
ALTER TABLE monthly_report_0045 RENAME TO monthly_report;
-- sqlite only
CREATE INDEX monthly_report_period ON monthly_report(year, month);
-- sqlite only
CREATE INDEX monthly_report_december ON monthly_report(enterprise_id, year, revenue, profit, rd_expense, employees) WHERE month = 12;
