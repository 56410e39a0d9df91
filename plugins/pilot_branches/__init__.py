"""对标争先 pilot branch projects (DOMAIN.md program 5; seed 003)."""
