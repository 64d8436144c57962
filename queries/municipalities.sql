-- Municipalities in the store, for the sidebar (shown only when there are several).
SELECT municipality, count(*) AS measures
FROM measures
GROUP BY municipality
ORDER BY municipality;
