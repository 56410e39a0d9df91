"""党建工作样板支部 benchmark (model) party branches (DOMAIN.md program 4; seed 004)."""
