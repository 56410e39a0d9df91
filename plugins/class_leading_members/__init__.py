"""学生带班党员 class-leading student party members (DOMAIN.md program 3; seed 001).

Three programs in one package, each a campaign type of its own (program.py):
选拔 selection of the new year's members, 考核 the year-end assessment (标兵 / 优秀),
and 优秀案例征集 the case collection (college 40% → school 一/二/三等奖、优秀奖).
"""
