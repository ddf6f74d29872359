"""Entry point of `make bench`: runs every benchmark and prints its ratios."""

from tests.bench import (
    cold_start,
    deploy,
    goals,
    local_fidelity,
    local_speed,
    records,
    relations,
    settings,
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
    settings.report()
    goals.print_table()
