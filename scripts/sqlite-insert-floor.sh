#!/bin/bash
# The C SQLite floor of a report import's insert (docs/PERFORMANCE.md, issue 13
# item 4): 7,000 firms × 11 months into monthly_report's schema and indexes,
# with and without the foreign key, as a rowid and a WITHOUT ROWID table.
# Prints the sqlite3 shell's user+system CPU seconds for the INSERT alone.
# Needs the sqlite3 shell; writes only under a temporary directory.
set -euo pipefail
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
for variant in rowid rowid_nofk norowid norowid_nofk; do
  case $variant in
  rowid) opt=""; fk="REFERENCES enterprise(id)" ;;
  rowid_nofk) opt=""; fk="" ;;
  norowid) opt="WITHOUT ROWID"; fk="REFERENCES enterprise(id)" ;;
  norowid_nofk) opt="WITHOUT ROWID"; fk="" ;;
  esac
  db="$dir/$variant.db"
  sqlite3 "$db" >/dev/null <<SQL
PRAGMA journal_mode=WAL;
CREATE TABLE enterprise(id INTEGER PRIMARY KEY, name TEXT);
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x<7000) INSERT INTO enterprise SELECT x, 'n'||x FROM c;
CREATE TABLE monthly_report (enterprise_id BIGINT NOT NULL $fk, year INTEGER NOT NULL, month INTEGER NOT NULL,
 output BIGINT NOT NULL, value_added BIGINT NOT NULL, revenue BIGINT NOT NULL, profit BIGINT NOT NULL, rd_expense BIGINT NOT NULL,
 investment BIGINT NOT NULL, tax BIGINT NOT NULL, energy BIGINT NOT NULL, employees BIGINT NOT NULL,
 PRIMARY KEY (enterprise_id, year, month)) $opt;
CREATE INDEX monthly_report_period ON monthly_report(year, month);
CREATE INDEX monthly_report_december ON monthly_report(enterprise_id, year, revenue, profit, rd_expense, employees) WHERE month = 12;
CREATE TABLE src AS
  WITH RECURSIVE f(i) AS (SELECT 0 UNION ALL SELECT i+1 FROM f WHERE i<6999),
       m(m) AS (SELECT 2 UNION ALL SELECT m+1 FROM m WHERE m<12)
  SELECT i+1 AS enterprise_id, 2023 AS year, m AS month,
    (i%97+1)*(m-1)*13 AS output, (i%97+1)*(m-1)*26 AS value_added, (i%97+1)*(m-1)*39 AS revenue,
    (i%97+1)*(m-1)*52 AS profit, (i%97+1)*(m-1)*65 AS rd_expense, (i%97+1)*(m-1)*78 AS investment,
    (i%97+1)*(m-1)*91 AS tax, (i%97+1)*(m-1)*104 AS energy, 100+i%50 AS employees
  FROM f, m ORDER BY 1, 3;
SQL
  t=$({ /usr/bin/time -f '%U+%S' sqlite3 "$db" "PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL; BEGIN; INSERT INTO monthly_report SELECT * FROM src; COMMIT;" >/dev/null; } 2>&1)
  echo "$variant: $t s CPU"
done
