"""Run with: nameko run --config deploy/config.yml plugins.civilized_dorms.service"""
from core.program_service import make_program_service
from plugins.civilized_dorms.program import PROGRAM

CivilizedDormsService = make_program_service(PROGRAM)
