-- Counts the cockpit's task table and scoreboard make per request, read
-- from index ranges instead of whole tables (issue 13 item 3): the
-- projects approved in a year (digital_event had only its primary key,
-- so each count scanned every event of the city), the recognitions of a
-- rung dated in a year, and the titles of a kind held on a day, whose
-- enterprise and end date now sit in title_kind beside the grant date
-- (a superset of the old index, which it replaces).
CREATE INDEX digital_event_stage_date ON digital_event(stage, event_date, project_id);
CREATE INDEX digital_recognition_rung_date ON digital_recognition(rung, recognised_on, enterprise_id);
DROP INDEX title_kind;
CREATE INDEX title_kind ON title(kind, granted_on, valid_until, enterprise_id);
-- A task table reads the year's entered values in one query.
CREATE INDEX indicator_value_year ON indicator_value(year);
