-- Cultivation goals and the hard-tech assistance pool (modules goals and
-- hardtech).

-- goal_plan is one version of an allocation of city cultivation goals to
-- districts; a higher version supersedes a lower one from its effective
-- date, and no version is ever overwritten. The version in force is also
-- written to the target table (the task-table engine), which is what the
-- targets page and API judge.
CREATE TABLE goal_plan (
    id               TEXT NOT NULL,
    version          INTEGER NOT NULL,
    effective_from   TEXT NOT NULL,
    name_zh          TEXT NOT NULL,
    name_en          TEXT NOT NULL,
    source           TEXT NOT NULL,
    measure          TEXT NOT NULL,
    base_year        INTEGER NOT NULL,
    goal_year        INTEGER NOT NULL,
    alert_pct_e4     BIGINT NOT NULL,
    excellent_pct_e4 BIGINT NOT NULL,
    created_at       BIGINT NOT NULL,
    created_by       BIGINT NOT NULL,
    PRIMARY KEY (id, version)
);

-- goal_value holds a version's goals: the city value (scope_kind 'city',
-- scope_code '') and each district's allocation.
CREATE TABLE goal_value (
    plan_id        TEXT NOT NULL,
    version        INTEGER NOT NULL,
    indicator_code TEXT NOT NULL REFERENCES indicator(code),
    scope_kind     TEXT NOT NULL,
    scope_code     TEXT NOT NULL,
    value          BIGINT NOT NULL,
    PRIMARY KEY (plan_id, version, indicator_code, scope_kind, scope_code),
    FOREIGN KEY (plan_id, version) REFERENCES goal_plan(id, version)
);

-- hardtech_member is one firm's admission to one year's pool. The primary
-- key is what makes a double admission impossible, concurrent or not;
-- removal keeps the row (status "exited") with who removed it and why.
CREATE TABLE hardtech_member (
    year           INTEGER NOT NULL,
    enterprise_id  BIGINT NOT NULL REFERENCES enterprise(id),
    base_year      INTEGER NOT NULL,
    base_revenue   BIGINT NOT NULL,
    base_source    TEXT NOT NULL,
    reasons        TEXT NOT NULL,
    policy_version TEXT NOT NULL,
    admitted_on    TEXT NOT NULL,
    admitted_by    BIGINT NOT NULL,
    removed        INTEGER NOT NULL,
    removed_on     TEXT NOT NULL,
    removed_by     BIGINT NOT NULL,
    removal_reason TEXT NOT NULL,
    PRIMARY KEY (year, enterprise_id)
);
CREATE INDEX hardtech_member_enterprise ON hardtech_member(enterprise_id);
