"""Headquarters (``pos-hq``): the service every till syncs with when the network is there.

Its own peewee models and frozen migrations (``db``), the push (``ingest``) and the change
feed (``feed``), the authority jobs that only headquarters may run (``authority``: expiry,
tier review, awards, overdrafts and reconciliation flags), reports, enrollment and the
administrator's commands (``admin``, ``cli``), request authentication (``auth``) and the
FastAPI application (``app``). It shares only ``core`` and ``sync`` with the till.
"""
