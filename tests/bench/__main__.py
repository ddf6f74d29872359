"""Entry point of `make bench`: runs every benchmark and prints its ratios."""

from tests.bench import cold_start, goals, local_speed, records, relations, soak

if __name__ == "__main__":
    cold_start.report()
    records.report()
    relations.report()
    local_speed.report()
    soak.report()
    goals.print_table()
