"""Entry point of `make bench`: runs every benchmark and prints its ratios."""

from tests.bench import (
    cold_start,
    crons,
    deploy,
    goals,
    local_fidelity,
    local_speed,
    records,
    relations,
    request_logs,
    soak,
    warm,
    writes,
)

if __name__ == "__main__":
    cold_start.report()
    warm.report()
    records.report()
    relations.report()
    writes.report()
    deploy.report()
    local_fidelity.report()
    local_speed.report()
    soak.report()
    crons.report()
    request_logs.report()
    goals.print_table()
