"""Scoring service (评分): criteria, reviewers, score sheets, aggregation, vetoes,
ranking and quota selection. The rules live in `services.scoring.domain`."""
