"""三好学生 / 优秀学生干部 (merit students and outstanding student cadres), the awards a
university runs each autumn for the academic year before: two programs in one
distribution, written against the documented contract only (docs/WRITING_A_PROGRAM.md)."""
