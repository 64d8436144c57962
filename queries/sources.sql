-- Report files and templates the store was built from.
SELECT source_file, source_kind, municipality, report_label, measures, indicators, warnings, imported_at
FROM reports
ORDER BY municipality, report_year, source_file;
