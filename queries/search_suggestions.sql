-- Indicator names nearest a search that found nothing (「もしかして」), in the chosen municipalities: Jaro-Winkler
-- similarity of the folded forms (evaldash/schema.sql's search_fold), best first.
SELECT indicator, max(jaro_winkler_similarity(search_fold(indicator), search_fold($q::VARCHAR))) AS score
FROM indicators
WHERE len($muni::VARCHAR[]) = 0 OR list_contains($muni::VARCHAR[], municipality)
GROUP BY indicator
HAVING score >= 0.7
ORDER BY score DESC, indicator
LIMIT 3;
