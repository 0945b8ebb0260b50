"""The one shared model. Import models from here."""
from .attachment import Attachment
from .audit import AuditLog, log_event
from .base import MAX_ID, utcnow
from .document import (Audience, Document, DocumentCounter, DocumentJob, DocumentRecipient, DocumentStatus,
                       IssuedDocumentError, JobStatus, document_rectification)
from .draw import Draw
from .checklist import (AnswerType, ChecklistTemplate, EvidenceRule, FrozenVersionError, Item, Section,
                        TemplateKind, TemplateVersion, VersionStatus)
from .classroom import SchoolClass, Teacher, TimetableSlot
from .inspection import Answer, Inspection, InspectionStatus, Photo
from .login_attempt import LoginFailure
from .observation import (FeedbackWay, Observation, ObservationLog, ObservationQuota, ObservationScore,
                          ObservationStatus)
from .plan import (Dimension, EvaluationKind, EvaluationRating, Goal, GoalComment, GoalRating, Milestone,
                   MilestoneStatus, MilestoneUpdate, Plan, PlanEvaluation, PlanEvent, PlanFile, PlanRevision, PlanStatus,
                   PlanStep, Rating, SelfAssessment, milestone_rectification)
from .rectification import (Priority, RectificationEvent, RectificationFile, RectificationItem, RectificationStatus,
                            Step, rectification_evidence)
from .resources import BalanceRule, Level, ResourceFigures
from .round import Round, RoundKind
from .school import Ownership, School, SchoolKind
from .user import RecoveryCode, Role, User, inspector_school

__all__ = [
    "MAX_ID",
    "AnswerType", "ChecklistTemplate", "EvidenceRule", "FrozenVersionError", "Item", "Section",
    "TemplateVersion", "VersionStatus", "Answer", "Inspection", "InspectionStatus", "Photo",
    "Attachment", "AuditLog", "Draw", "LoginFailure", "Round", "RoundKind", "Ownership", "Role", "School", "SchoolKind",
    "RecoveryCode", "User", "inspector_school", "log_event", "utcnow", "TemplateKind", "SchoolClass", "Teacher", "TimetableSlot",
    "FeedbackWay", "Observation", "ObservationLog", "ObservationQuota", "ObservationScore", "ObservationStatus",
    "Priority", "RectificationEvent", "RectificationFile", "RectificationItem", "RectificationStatus", "Step",
    "rectification_evidence", "BalanceRule", "Level", "ResourceFigures",
    "Dimension", "EvaluationKind", "EvaluationRating", "Goal", "GoalComment", "GoalRating", "Milestone", "MilestoneStatus",
    "MilestoneUpdate", "Plan", "PlanEvaluation", "PlanEvent", "PlanFile", "PlanRevision", "PlanStatus", "PlanStep", "Rating",
    "SelfAssessment", "milestone_rectification",
    "Audience", "Document", "DocumentCounter", "DocumentJob", "DocumentRecipient",
    "DocumentStatus", "IssuedDocumentError", "JobStatus", "document_rectification",
]
