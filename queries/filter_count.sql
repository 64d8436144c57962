-- How many measures and indicators a filter selects: an empty view asks it of the filter with one choice taken
-- out, to name the choice that emptied it (filters.culprits).
SELECT (SELECT count(*) FROM selected_measures($muni::VARCHAR[], $pol::INTEGER[], $dept::VARCHAR[], $sec::VARCHAR[], $refl::VARCHAR[], $q::VARCHAR)) AS measures,
       (SELECT count(*) FROM selected_indicators($muni::VARCHAR[], $pol::INTEGER[], $dept::VARCHAR[], $sec::VARCHAR[], $refl::VARCHAR[], $q::VARCHAR)) AS indicators;
