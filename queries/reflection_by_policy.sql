-- Measures per 運営方針 and 反映区分, for the overview's stacked bar.
SELECT m.municipality, m.policy_no, m.policy_name, m.reflection, any_value(m.reflection_label) AS reflection_label,
       count(*) AS measures
FROM measures m
SEMI JOIN selected_measures($muni::VARCHAR[], $pol::INTEGER[], $dept::VARCHAR[], $sec::VARCHAR[], $refl::VARCHAR[], $q::VARCHAR) s USING (municipality, measure_id)
GROUP BY ALL
ORDER BY m.municipality, m.policy_no, m.reflection;
