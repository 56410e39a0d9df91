"""先进班集体 advanced class collectives (DOMAIN.md program 2; seed 000, 附件1)."""
