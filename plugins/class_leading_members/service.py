"""Run each program as its own process:

    nameko run --config deploy/config.yml plugins.class_leading_members.service:ClassLeadingSelectionService
    (likewise ClassLeadingAssessmentService, ClassLeadingCasesService)
"""
from core.program_service import make_program_service
from plugins.class_leading_members.program import ASSESSMENT, CASES, SELECTION

ClassLeadingSelectionService = make_program_service(SELECTION)
ClassLeadingAssessmentService = make_program_service(ASSESSMENT)
ClassLeadingCasesService = make_program_service(CASES)
