-- The review of project applications on the shared workflow
-- (internal/review, events in review_event with domain digital_project):
-- the application's review state ('' = not stored, derived from the
-- history: submitted while it stops at the application, else accepted)
-- and the reason of the last return for correction.
ALTER TABLE digital_project ADD COLUMN review_state TEXT NOT NULL DEFAULT '';
ALTER TABLE digital_project ADD COLUMN review_reason TEXT NOT NULL DEFAULT '';
