select indicator, name, unit, higher_is_better from monitoring_indicators order by indicator
