-- Targets are read per year and scope (the KPI view reads a scope's few
-- among the year's district goals).
CREATE INDEX target_scope ON target(year, scope_kind, scope_code);
