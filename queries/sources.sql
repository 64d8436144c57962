-- Report files and templates the store was built from.
SELECT source_file, source_kind, municipality, report_year, report_label, measures, indicators, warnings,
       imported_at, sha256
FROM reports
ORDER BY municipality, report_year, source_file;
