-- 反映区分 letters present in the store, with the label the report gives them.
SELECT reflection, any_value(reflection_label) AS reflection_label, count(*) AS measures
FROM measures
WHERE reflection IS NOT NULL
GROUP BY reflection
ORDER BY reflection;
