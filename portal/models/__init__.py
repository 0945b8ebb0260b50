"""The one shared model. Import models from here."""
from .accountability import (Accountability, EscalationRun, Measure, OrderRule, SupervisionOrder,
                             accountability_rectification)
from .attachment import Attachment
from .audit import AuditLog, log_event
from .base import MAX_ID, utcnow
from .document import (Audience, Document, DocumentCounter, DocumentKind, DocumentJob, DocumentRecipient, DocumentStatus,
                       IssuedDocumentError, JobStatus, document_rectification)
from .draw import Draw
from .checklist import (AnswerType, ChecklistTemplate, EvidenceRule, FrozenVersionError, Item, Section,
                        TemplateKind, TemplateVersion, VersionStatus)
from .classroom import SchoolClass, Teacher, TimetableSlot
from .inspection import Answer, Inspection, InspectionStatus, Photo, Purpose
from .login_attempt import LoginFailure
from .observation import (FeedbackWay, Observation, ObservationLog, ObservationQuota, ObservationScore,
                          ObservationStatus)
from .plan import (Dimension, EvaluationKind, EvaluationRating, Goal, GoalComment, GoalRating, Milestone,
                   MilestoneStatus, MilestoneUpdate, Plan, PlanEvaluation, PlanEvent, PlanFile, PlanRevision, PlanStatus,
                   PlanStep, Rating, SelfAssessment, milestone_rectification)
from .rectification import (Priority, RectificationEvent, RectificationFile, RectificationItem, RectificationStatus,
                            Step, rectification_evidence)
from .report_task import AnswerStatus, ReportAnswer, ReportTask, TaskKind
from .resources import BalanceRule, Level, ResourceFigures
from .round import Round, RoundKind, RoundMode
from .team import InspectionMember, SectionAssignment, TeamRole
from .school import Ownership, School, SchoolKind, kinds_in_words
from .self_check import SelfCheck, SelfCheckFile, self_check_member
from .user import RecoveryCode, Role, User, inspector_school
from .visit import Portrait, SignJob, Visit, VisitPhoto, VisitTarget

__all__ = [
    "MAX_ID",
    "AnswerType", "ChecklistTemplate", "EvidenceRule", "FrozenVersionError", "Item", "Section",
    "TemplateVersion", "VersionStatus", "Answer", "Inspection", "InspectionStatus", "Photo",
    "InspectionMember", "SectionAssignment", "TeamRole",
    "Attachment", "AuditLog", "Draw", "LoginFailure", "Round", "RoundKind", "RoundMode", "Ownership", "Role", "School", "SchoolKind",
    "kinds_in_words",
    "RecoveryCode", "User", "inspector_school", "log_event", "utcnow", "TemplateKind", "SchoolClass", "Teacher", "TimetableSlot",
    "FeedbackWay", "Observation", "ObservationLog", "ObservationQuota", "ObservationScore", "ObservationStatus",
    "Priority", "RectificationEvent", "RectificationFile", "RectificationItem", "RectificationStatus", "Step",
    "rectification_evidence", "BalanceRule", "Level", "ResourceFigures",
    "Dimension", "EvaluationKind", "EvaluationRating", "Goal", "GoalComment", "GoalRating", "Milestone", "MilestoneStatus",
    "MilestoneUpdate", "Plan", "PlanEvaluation", "PlanEvent", "PlanFile", "PlanRevision", "PlanStatus", "PlanStep", "Rating",
    "SelfAssessment", "milestone_rectification",
    "Audience", "Document", "DocumentCounter", "DocumentJob", "DocumentRecipient",
    "DocumentStatus", "IssuedDocumentError", "JobStatus", "document_rectification", "DocumentKind",
    "Purpose", "SelfCheck", "SelfCheckFile", "self_check_member",
    "Accountability", "EscalationRun", "Measure", "OrderRule", "SupervisionOrder", "accountability_rectification",
    "AnswerStatus", "ReportAnswer", "ReportTask", "TaskKind",
    "Portrait", "SignJob", "Visit", "VisitPhoto", "VisitTarget",
]
