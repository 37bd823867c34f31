-- December reports (the full year's year-to-date values) are what the
-- title rules read for every enterprise on each screening. A covering
-- partial index holds just those rows, so a city-wide read scans one
-- twelfth of the report index and never visits the table.
CREATE INDEX monthly_report_december ON monthly_report(enterprise_id, year, revenue, profit, rd_expense, employees) WHERE month = 12;
