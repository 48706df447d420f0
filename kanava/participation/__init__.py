"""Residents take part in pending decisions: hearings, ideas and initiatives, surveys,
participatory budgeting.  Each process kind is a package under ``kinds/`` that declares
itself in a manifest (see :mod:`kanava.participation.manifest`)."""
