"""The parts of a package import, one job each; `apps/sync/importer.py` runs them in order.

- `verify`: refusing a package before anything is touched;
- `staging`: media files of applied rows, staged and moved into MEDIA_ROOT on commit;
- `rows`: applying the rows of one batch (ownership and version rules, bulk writes);
- `tombstones`: applying deletions;
- `ownership`: who may write a row, shared by `rows` and `tombstones`;
- `report`: the import report, the reasons a row is not applied, the sync log entries.
"""
