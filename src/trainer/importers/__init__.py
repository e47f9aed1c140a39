"""Files in: HR rosters, e-learning progress exports and returned checkpoint sheets.

Every importer reads the whole file, validates every row, and returns a plan of what would
change (for ``--dry-run``) or a :class:`~trainer.importers.problems.ImportRejected` listing every
problem with its row and column. Nothing is written unless the whole file is valid; the service
applies a plan in one transaction.
"""
