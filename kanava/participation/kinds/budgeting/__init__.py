"""Participatory budgeting: proposals, vetting, ballots with a budget cap (or approval), results."""
