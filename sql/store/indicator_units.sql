select indicator, unit from monitoring_indicators
