"""Run with: nameko run --config deploy/config.yml plugins.class_collectives.service"""
from core.program_service import make_program_service
from plugins.class_collectives.program import PROGRAM

ClassCollectivesService = make_program_service(PROGRAM)
