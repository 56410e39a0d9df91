"""Run with: nameko run --config deploy/config.yml plugins.benchmark_branches.service"""
from core.program_service import make_program_service
from plugins.benchmark_branches.program import PROGRAM

BenchmarkBranchesService = make_program_service(PROGRAM)
