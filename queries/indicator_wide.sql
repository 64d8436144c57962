-- データ's table by indicator: one row per indicator in the filter, its values by fiscal year in `year_values`
-- (NaN where the year has none, so pandas gets plain float arrays), lined up with `year_labels`, the fiscal years
-- those indicators cover; `trend` is the values that exist, for the sparkline. $limit caps the indicators
-- (NULL = all), chosen before any value is read.
WITH chosen AS (
  SELECT s.municipality, m.policy_no, s.measure_id, s.indicator_id
  FROM selected_indicators($muni::VARCHAR[], $pol::INTEGER[], $dept::VARCHAR[], $sec::VARCHAR[], $refl::VARCHAR[], $q::VARCHAR) s
  JOIN measures m USING (municipality, measure_id)
  ORDER BY s.municipality, m.policy_no, s.measure_id, s.indicator_id
  LIMIT $limit::BIGINT
),
sel AS (
  SELECT f.municipality, f.policy_no, f.measure_id, f.indicator_id, f.indicator, f.unit, f.reflection,
         f.fiscal_year, f.fiscal_label, f.value
  FROM flat_indicators f
  SEMI JOIN chosen c USING (municipality, indicator_id)
  WHERE len($muni::VARCHAR[]) = 0 OR list_contains($muni::VARCHAR[], f.municipality)
),
years AS (
  SELECT list(fiscal_year ORDER BY fiscal_year) AS fiscal_years, list(fiscal_label ORDER BY fiscal_year) AS year_labels
  FROM (SELECT fiscal_year, min(fiscal_label) AS fiscal_label FROM sel GROUP BY fiscal_year)
),
per_indicator AS (
  SELECT municipality, policy_no, measure_id, indicator_id, any_value(indicator) AS indicator,
         any_value(unit) AS unit, any_value(reflection) AS reflection, map(list(fiscal_year), list(value)) AS by_year
  FROM sel
  GROUP BY ALL
)
SELECT p.municipality, p.policy_no, p.measure_id, p.indicator_id, p.indicator, p.unit, p.reflection, y.year_labels,
       list_transform(y.fiscal_years, lambda fy: coalesce(p.by_year[fy], 'NaN'::DOUBLE)) AS year_values,
       list_filter(list_transform(y.fiscal_years, lambda fy: p.by_year[fy]), lambda v: v IS NOT NULL) AS trend
FROM per_indicator p, years y
ORDER BY p.municipality, p.policy_no, p.measure_id, p.indicator_id;
