"""Recommendations for a farm and year: rules over its indicators and records, each with the runoff
model's expected load reduction (DESIGN.md, "advice").

`engine.farm_advice(farm=, year=)` returns a ranked `types.FarmAdvice`; `rules` holds one function per
rule, `facts` what they read, `report` the section the advisory PDF prints.
"""
