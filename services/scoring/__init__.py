"""Scoring service (评分): criteria, reviewers, score sheets, aggregation, vetoes,
ranking and quota selection. The rules live in `services.scoring.domain`."""
# Building the service shell? READ docs/DEVELOPING.md FIRST (conventions, nx-27017 limits,
# internal RPCs, test fixtures; parallel engineers touch only their own paths, never commit).
