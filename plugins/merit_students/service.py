"""Each program its own process:

    nameko run --config deploy/config.yml plugins.merit_students.service:MeritStudentsService
    nameko run --config deploy/config.yml plugins.merit_students.service:OutstandingCadresService
"""
from core.program_service import make_program_service
from plugins.merit_students.program import CADRE, MERIT

MeritStudentsService = make_program_service(MERIT)
OutstandingCadresService = make_program_service(CADRE)
