"""Run with: nameko run --config deploy/config.yml plugins.pilot_branches.service"""
from core.program_service import make_program_service
from plugins.pilot_branches.program import PROGRAM

PilotBranchesService = make_program_service(PROGRAM)
