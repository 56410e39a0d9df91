"""文明寝室 civilized dorms (DOMAIN.md program 1; seed 000 and its attachment 2, seed 002)."""
