"""Exam logistics (issue 5): session venues, seat allocation, admit cards, attendance
sheets, attendance, incidents and center reports.

The models live in `models.py` here and belong to the `exams` app (imported by
`apps/exams/models.py`), so they share its migrations.
"""
