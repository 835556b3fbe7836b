"""Reports (报表): the monthly oversight reports, review queue and coverage as HTML, CSV and Excel (`tables`)."""
