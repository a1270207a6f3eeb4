"""The agentlog engine: reading logs, replaying projections, liveness, snapshots and compaction.

Nothing in this package imports textual or rich: it is usable from scripts, tests and the CLI.
"""
