-- Views for analysts. Recreated on every start-up (DROP + CREATE works on both dialects).

DROP VIEW IF EXISTS v_scorecard;
-- The agreement's table: one row per indicator, TW I-IV and the year side by side
-- (agency level, unit ALL). Targets come from the catalog; NULL target = N/A.
CREATE VIEW v_scorecard AS
SELECT
    i.pk_year,
    i.indicator_no,
    i.level,
    i.sasaran,
    i.short_name AS indicator,
    i.unit_of_measure,
    t1.target AS tw1_target, r1.value AS tw1_realisasi, r1.capaian_pct AS tw1_capaian, r1.status AS tw1_status,
    t2.target AS tw2_target, r2.value AS tw2_realisasi, r2.capaian_pct AS tw2_capaian, r2.status AS tw2_status,
    t3.target AS tw3_target, r3.value AS tw3_realisasi, r3.capaian_pct AS tw3_capaian, r3.status AS tw3_status,
    t4.target AS tw4_target, r4.value AS tw4_realisasi, r4.capaian_pct AS tw4_capaian, r4.status AS tw4_status,
    ty.target AS year_target, ry.value AS year_realisasi, ry.capaian_pct AS year_capaian, ry.status AS year_status,
    ry.category AS year_category,
    ry.as_of_month AS as_of_month,
    ry.run_id AS run_id,
    ry.computed_at AS computed_at
FROM indicator i
LEFT JOIN indicator_target t1 ON t1.pk_year = i.pk_year AND t1.indicator_no = i.indicator_no
    AND t1.period = CAST(i.pk_year AS TEXT) || '-Q1'
LEFT JOIN indicator_target t2 ON t2.pk_year = i.pk_year AND t2.indicator_no = i.indicator_no
    AND t2.period = CAST(i.pk_year AS TEXT) || '-Q2'
LEFT JOIN indicator_target t3 ON t3.pk_year = i.pk_year AND t3.indicator_no = i.indicator_no
    AND t3.period = CAST(i.pk_year AS TEXT) || '-Q3'
LEFT JOIN indicator_target t4 ON t4.pk_year = i.pk_year AND t4.indicator_no = i.indicator_no
    AND t4.period = CAST(i.pk_year AS TEXT) || '-Q4'
LEFT JOIN indicator_target ty ON ty.pk_year = i.pk_year AND ty.indicator_no = i.indicator_no
    AND ty.period = CAST(i.pk_year AS TEXT)
LEFT JOIN indicator_result r1 ON r1.pk_year = i.pk_year AND r1.indicator_no = i.indicator_no
    AND r1.unit_code = 'ALL' AND r1.period = CAST(i.pk_year AS TEXT) || '-Q1'
LEFT JOIN indicator_result r2 ON r2.pk_year = i.pk_year AND r2.indicator_no = i.indicator_no
    AND r2.unit_code = 'ALL' AND r2.period = CAST(i.pk_year AS TEXT) || '-Q2'
LEFT JOIN indicator_result r3 ON r3.pk_year = i.pk_year AND r3.indicator_no = i.indicator_no
    AND r3.unit_code = 'ALL' AND r3.period = CAST(i.pk_year AS TEXT) || '-Q3'
LEFT JOIN indicator_result r4 ON r4.pk_year = i.pk_year AND r4.indicator_no = i.indicator_no
    AND r4.unit_code = 'ALL' AND r4.period = CAST(i.pk_year AS TEXT) || '-Q4'
LEFT JOIN indicator_result ry ON ry.pk_year = i.pk_year AND ry.indicator_no = i.indicator_no
    AND ry.unit_code = 'ALL' AND ry.period = CAST(i.pk_year AS TEXT);
