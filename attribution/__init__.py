"""What an NPS category means for customer value: statsmodels fits on the customer_value_cohorts
frame (one row per customer and quarter), turned into the value marts. Pure functions: a cohort
frame in, estimates out; orchestration/attribution.py reads and writes the warehouse."""
