-- Loaded questionnaire profiles of a year (for the map of schools).
select school_id, year, factor_code, risk_level from risk_profiles where year = $year
