-- Rollups of agg_month that answer most cockpit queries from a few hundred
-- rows instead of tens of thousands: the city by month, each region by
-- month, each cluster by month. They keep agg_month's section, SEI and
-- specialized splits (every measure needs them) and are rebuilt with
-- agg_month, in the same transaction.

CREATE TABLE agg_city (
    year          INTEGER NOT NULL,
    month         INTEGER NOT NULL,
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
    PRIMARY KEY (year, month, section, sei, specialized)
);

CREATE TABLE agg_region (
    year          INTEGER NOT NULL,
    month         INTEGER NOT NULL,
    region_code   TEXT NOT NULL,
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
    PRIMARY KEY (year, region_code, month, section, sei, specialized)
);
CREATE INDEX agg_region_month ON agg_region(year, month);

CREATE TABLE agg_cluster (
    year          INTEGER NOT NULL,
    month         INTEGER NOT NULL,
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
    PRIMARY KEY (year, cluster_code, month, section, sei, specialized)
);
CREATE INDEX agg_cluster_month ON agg_cluster(year, month);

-- Existing databases get their rollups from the summaries they have.
INSERT INTO agg_city SELECT year, month, section, sei, specialized, SUM(n), SUM(n_base), SUM(output), SUM(value_added), SUM(revenue), SUM(profit), SUM(rd_expense), SUM(investment), SUM(tax), SUM(energy), SUM(employees), SUM(b_output), SUM(b_value_added), SUM(b_revenue), SUM(b_profit), SUM(b_rd_expense), SUM(b_investment), SUM(b_tax), SUM(b_energy), SUM(b_employees) FROM agg_month GROUP BY year, month, section, sei, specialized;
INSERT INTO agg_region SELECT year, month, region_code, section, sei, specialized, SUM(n), SUM(n_base), SUM(output), SUM(value_added), SUM(revenue), SUM(profit), SUM(rd_expense), SUM(investment), SUM(tax), SUM(energy), SUM(employees), SUM(b_output), SUM(b_value_added), SUM(b_revenue), SUM(b_profit), SUM(b_rd_expense), SUM(b_investment), SUM(b_tax), SUM(b_energy), SUM(b_employees) FROM agg_month GROUP BY year, month, region_code, section, sei, specialized;
INSERT INTO agg_cluster SELECT year, month, cluster_code, tier, section, sei, specialized, SUM(n), SUM(n_base), SUM(output), SUM(value_added), SUM(revenue), SUM(profit), SUM(rd_expense), SUM(investment), SUM(tax), SUM(energy), SUM(employees), SUM(b_output), SUM(b_value_added), SUM(b_revenue), SUM(b_profit), SUM(b_rd_expense), SUM(b_investment), SUM(b_tax), SUM(b_energy), SUM(b_employees) FROM agg_month GROUP BY year, month, cluster_code, tier, section, sei, specialized;
