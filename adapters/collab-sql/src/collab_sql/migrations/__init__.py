"""The Alembic migrations of the SQL store: ``env.py`` and the revisions in ``versions/``.

They are applied on opening a store (unless ``?migrate=false``) and by
``python -m collab_sql upgrade URL``; see :mod:`collab_sql.migrate`.
"""
