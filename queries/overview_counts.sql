-- Headline numbers for the filtered set.
WITH m AS (
  SELECT ms.* FROM measures ms SEMI JOIN selected_measures($muni::VARCHAR[], $pol::INTEGER[], $dept::VARCHAR[], $sec::VARCHAR[], $refl::VARCHAR[], $q::VARCHAR) s USING (municipality, measure_id)
), i AS (
  SELECT * FROM selected_indicators($muni::VARCHAR[], $pol::INTEGER[], $dept::VARCHAR[], $sec::VARCHAR[], $refl::VARCHAR[], $q::VARCHAR)
)
SELECT
  (SELECT count(DISTINCT (municipality, policy_no)) FROM m) AS policies,
  (SELECT count(*) FROM m) AS measures,
  (SELECT count(*) FROM i) AS indicators,
  (SELECT count(*) FROM m WHERE reflection = 'A') AS reflection_a,
  (SELECT count(*) FROM m WHERE reflection = 'B') AS reflection_b,
  (SELECT count(*) FROM m WHERE reflection NOT IN ('A', 'B')) AS reflection_other,
  (SELECT count(*) FROM indicator_changes c SEMI JOIN i USING (municipality, indicator_id) WHERE direction = 'up') AS rose,
  (SELECT count(*) FROM indicator_changes c SEMI JOIN i USING (municipality, indicator_id) WHERE direction = 'down') AS fell,
  (SELECT count(*) FROM indicator_changes c SEMI JOIN i USING (municipality, indicator_id) WHERE direction = 'flat') AS stayed,
  (SELECT count(*) FROM indicator_changes c SEMI JOIN i USING (municipality, indicator_id) WHERE direction IS NULL) AS not_comparable;
