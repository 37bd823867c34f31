-- Bulk imports (issue 13): on PostgreSQL the foreign key from monthly_report
-- to enterprise was checked by a trigger per inserted row, half of the
-- time of inserting a month's file. The report writers now check that
-- every written firm exists with one keyed query per 500 firms, in the
-- write transaction (checkReportFirms in report.go), and no code deletes
-- enterprises. SQLite keeps the constraint: its check is a rowid lookup,
-- and dropping it would mean rebuilding the table.
-- postgres only
ALTER TABLE monthly_report DROP CONSTRAINT IF EXISTS monthly_report_enterprise_id_fkey;
