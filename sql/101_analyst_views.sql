-- Views for analysts, beside v_scorecard. Portable SQLite/PostgreSQL; recreated on every
-- start-up (DROP + CREATE). No view here reads another view, so they drop in any order.
-- Documented column by column in docs/warehouse.md; example queries in sql/queries/.

DROP VIEW IF EXISTS v_indicator_trend;
-- The monthly trend of every indicator: one row per indicator, unit and month with a row
-- in indicator_result. previous_value and change compare with the unit's previous month
-- that has a row (months carry no target: the year's target is alongside for reference).
CREATE VIEW v_indicator_trend AS
SELECT
    r.pk_year,
    r.indicator_no,
    i.short_name AS indicator,
    i.unit_of_measure,
    r.unit_code,
    r.period AS month,
    CAST(SUBSTR(r.period, 6, 2) AS INTEGER) AS month_no,
    (CAST(SUBSTR(r.period, 6, 2) AS INTEGER) + 2) / 3 AS quarter,
    r.value,
    LAG(r.value) OVER (PARTITION BY r.pk_year, r.indicator_no, r.unit_code ORDER BY r.period) AS previous_value,
    r.value - LAG(r.value) OVER (PARTITION BY r.pk_year, r.indicator_no, r.unit_code ORDER BY r.period) AS change,
    ty.target AS year_target,
    r.status,
    r.category,
    r.n_source_rows,
    r.as_of_month,
    r.revision,
    r.run_id,
    r.computed_at
FROM indicator_result r
JOIN indicator i ON i.pk_year = r.pk_year AND i.indicator_no = r.indicator_no
LEFT JOIN indicator_target ty ON ty.pk_year = r.pk_year AND ty.indicator_no = r.indicator_no
    AND ty.period = CAST(r.pk_year AS TEXT)
WHERE r.period_type = 'month';

DROP VIEW IF EXISTS v_latest_run;
-- The latest pipeline run of each PK year (by start time; ties by run id) and its status,
-- with how many of its landing files failed and how far the year has been computed.
CREATE VIEW v_latest_run AS
SELECT
    r.pk_year,
    r.run_id,
    r.flow_name,
    r.period,
    r.status,
    r.message,
    r.started_at,
    r.finished_at,
    r.rows_in,
    r.rows_staged,
    r.rows_quarantined,
    (SELECT COUNT(*) FROM pipeline_run_extract e WHERE e.run_id = r.run_id) AS extracts_read,
    (SELECT COUNT(*) FROM pipeline_run_extract e WHERE e.run_id = r.run_id AND e.status = 'failed')
        AS extracts_failed,
    (SELECT MAX(c.period) FROM pipeline_run c WHERE c.pk_year = r.pk_year AND c.status = 'completed')
        AS latest_completed_period,
    (SELECT COUNT(*) FROM pipeline_run c WHERE c.pk_year = r.pk_year) AS runs_in_year
FROM pipeline_run r
WHERE r.run_id = (
    SELECT x.run_id FROM pipeline_run x
    WHERE x.pk_year = r.pk_year
    ORDER BY x.started_at DESC, x.run_id DESC
    LIMIT 1
);

DROP VIEW IF EXISTS v_restatement;
-- Restatements: a value (or status) that changed after it was first published for the same
-- window extent. One row per history revision whose previous revision has the same
-- as_of_month but another value or status (a late or corrected record, a rerun). A quarter
-- or the year growing month by month (as_of_month moves on) is not a restatement.
CREATE VIEW v_restatement AS
SELECT
    h.pk_year,
    h.indicator_no,
    i.short_name AS indicator,
    h.unit_code,
    h.period,
    h.period_type,
    h.as_of_month,
    f.value AS first_value,
    f.revision AS first_revision,
    f.run_id AS first_run_id,
    f.computed_at AS first_computed_at,
    p.value AS previous_value,
    p.status AS previous_status,
    p.capaian_pct AS previous_capaian_pct,
    p.revision AS previous_revision,
    p.run_id AS previous_run_id,
    p.computed_at AS previous_computed_at,
    h.value,
    h.status,
    h.capaian_pct,
    h.value - p.value AS change,
    h.revision,
    h.run_id,
    h.computed_at,
    CASE WHEN c.revision = h.revision THEN 1 ELSE 0 END AS is_current
FROM indicator_result_history h
JOIN indicator_result_history p ON p.pk_year = h.pk_year AND p.indicator_no = h.indicator_no
    AND p.unit_code = h.unit_code AND p.period = h.period AND p.revision = h.revision - 1
JOIN indicator_result_history f ON f.pk_year = h.pk_year AND f.indicator_no = h.indicator_no
    AND f.unit_code = h.unit_code AND f.period = h.period
    AND f.revision = (
        SELECT MIN(x.revision) FROM indicator_result_history x
        WHERE x.pk_year = h.pk_year AND x.indicator_no = h.indicator_no AND x.unit_code = h.unit_code
            AND x.period = h.period AND x.as_of_month = h.as_of_month
    )
JOIN indicator i ON i.pk_year = h.pk_year AND i.indicator_no = h.indicator_no
LEFT JOIN indicator_result c ON c.pk_year = h.pk_year AND c.indicator_no = h.indicator_no
    AND c.unit_code = h.unit_code AND c.period = h.period
WHERE p.as_of_month = h.as_of_month
    AND (
        (h.value IS NULL AND p.value IS NOT NULL)
        OR (h.value IS NOT NULL AND p.value IS NULL)
        OR ABS(h.value - p.value) > 0.000000001
        OR h.status <> p.status
    );
