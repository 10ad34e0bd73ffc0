-- Question: which rencana aksi outputs are late or overdue?
-- The action-plan outputs of IKU 1 and 2 whose status for the year 2024 so far (period
-- '2024', as of its latest month) is overdue (terlambat) or done late (selesai terlambat).
SELECT
    s.iku_no,
    s.output_code,
    p.output,
    p.due_quarter,
    s.period,
    s.as_of_month,
    s.completed_on,
    s.status
FROM action_plan_status s
JOIN action_plan p ON p.pk_year = s.pk_year AND p.iku_no = s.iku_no AND p.output_code = s.output_code
WHERE s.pk_year = 2024
    AND s.period = '2024'
    AND s.status IN ('terlambat', 'selesai terlambat')
ORDER BY s.iku_no, s.output_code;
