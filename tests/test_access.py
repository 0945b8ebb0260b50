"""The access-control matrix: every route × role × own/other school × the state of its record.

Each route names its rule; the test fails when a route exists that is not listed here, so a
new view cannot ship without saying who may reach it. A route on a record whose rule depends on
its state (draft / submitted / approved, open / final, under way / done) or on whose it is (an
inspection of another inspector's) names a rule for each (States), so that a policy of
portal/security.py cannot be right in one state and untested in another.
"""
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from flask import url_for

from portal.extensions import db
from portal.files.uploads import store
from portal.models import (Answer, Draw, Inspection, InspectionMember, InspectionStatus, Photo, RectificationFile, RectificationItem,
                           RectificationStatus, Role, Round, RoundKind, User)

from .conftest import (PASSWORD, csrf_token, empty_tables, inspection_maker, new_app, rolled_back, school_maker,
                       template_maker, user_maker)

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

# Who may pass, by rule. Values: the roles allowed at their own school ("own") and elsewhere ("other").
VIEW = {"admin": {"own", "other"}, "leader": {"own", "other"}, "inspector": {"own"}, "principal": {"own"}}
MANAGE = {"admin": {"own", "other"}}
INSPECT = {"admin": {"own", "other"}, "inspector": {"own"}}
EDIT = {"admin": {"own", "other"}, "principal": {"own"}}
ROLES = ("admin", "leader", "inspector", "principal", "staff")  # staff: a school's 中层 (学校中层), at "own"
SIGNED_IN = {role: {"own", "other"} for role in ROLES}
OBSERVE = {"admin": {"own", "other"}, "leader": {"own", "other"}, "inspector": {"own"}, "principal": {"own"},
           "staff": {"own"}}
# Whoever sees any school at all: a 中层 sees none (a round's drawn schools, once in, are everyone else's).
SEES_SCHOOLS = {role: {"own", "other"} for role in ROLES if role != "staff"}
# A school's lessons (推门听课 records and counts): whoever sees the school, and its 中层 (nothing else of it).
LESSONS = {**VIEW, "staff": {"own"}}
# The accounts of a school's 中层: the office, and the school's principal.
ACCOUNTS = {"admin": {"own", "other"}, "principal": {"own"}}
EDIT = {"admin": {"own", "other"}, "principal": {"own"}}
# Someone else's observation record: only its observer (not signed in here) and the office.
OWN_RECORD = {"admin": {"own", "other"}}
# What only the office may do to another inspector's record (fill their draft, close an item named to them).
OFFICE = {"admin": {"own", "other"}}
# An inspection in each state: approved, its school's; before that the inspectors' (the school's own
# and the office; "draft_theirs" is another inspector's draft at the school, "returned" one sent back).
READ_INSPECTION = {"approved": VIEW, "submitted": INSPECT, "draft": INSPECT, "returned": INSPECT, "draft_theirs": INSPECT}
# Filling one in: nobody fills another inspector's draft but the office (an approved or submitted one
# answers 409 or goes to its page: closed for changes, not forbidden).
FILL_INSPECTION = {"draft": INSPECT, "returned": INSPECT, "submitted": INSPECT, "draft_theirs": OFFICE}
# A school's self-check (学校自查): its principal (and named staff) and the office; once handed in, also the
# inspectors of its school. Leaders and other schools never.
SELF_CHECK = {"draft": EDIT, "submitted": {**EDIT, "inspector": {"own"}}}
# A self-check's inspection on the inspections' pages: as its self-check; filled by the school and the office.
READ_SELF = {"self_draft": EDIT, "self_submitted": SELF_CHECK["submitted"]}
FILL_SELF = {"self_draft": EDIT, "self_submitted": EDIT}
# A 组员's own part of a 督导组 (已完成): that member alone, who is never signed in here; not even the office.
MEMBER_ONLY = {}
# A second factor on one's own account: the office and the leaders.
SECOND_FACTOR = {"admin": {"own", "other"}, "leader": {"own", "other"}}
# What compares every school (the county's 优质均衡 table): those who see every school.
COUNTY = {"admin": {"own", "other"}, "leader": {"own", "other"}}
# The office's issued 公文 and their 签收: the office and the leaders (局长, 分管), read-only.
DOCUMENTS = {"admin": {"own", "other"}, "leader": {"own", "other"}}


class States(dict):
    """A route's rule for each state of its record: {state: rule}. Its url takes the state."""


@dataclass
class Route:
    rule: dict | States | None  # None: public
    url: callable               # (world, "own"|"other"|"any"[, state]) -> url
    methods: tuple = ("GET",)

    def variants(self):
        """(state, rule, bound to a school) for each case of the route."""
        if isinstance(self.rule, States):
            for state, rule in self.rule.items():
                yield state, rule, state not in getattr(self.url, "unbound", ())
        else:
            yield None, self.rule, getattr(self.url, "school_bound", True)


def school(endpoint, **extra):
    return lambda w, where: url_for(endpoint, school_id=w[where], **extra)


def fixed(endpoint, **extra):
    """A route not bound to one school (lists, forms): any reach of the role suffices. An `extra`
    given as None is the world's id of that name (e.g. round_id=None: the world's round), one given as
    a string the world's id of that key."""
    url = lambda w, where: url_for(endpoint, **{k: w[k if v is None else v] for k, v in extra.items()})  # noqa: E731
    url.school_bound = False
    return url


def inspection(endpoint, plain=None, **ids):
    """A route on the own/other school's inspection in the given state; `ids` name further world keys
    (<key>_<state>_<where>, or <key>_<where> for what every state shares), `plain` plain values."""
    def url(w, where, state):
        found = {arg: w.get(f"{key}_{state}_{where}", w.get(f"{key}_{where}")) for arg, key in ids.items()}
        return url_for(endpoint, inspection_id=w[f"{state}_{where}"], **found, **(plain or {}))
    return url


def rectification(endpoint, **ids):
    """A route on the own/other school's rectification item in the given state (rect: open,
    rect_submitted; both named to another inspector as their verifier)."""
    return lambda w, where, state: url_for(endpoint, item_id=w[f"{state}_{where}"],
                                           **{arg: w[f"{key}_{where}"] for arg, key in ids.items()})


def observation(endpoint, **ids):
    """A route on the own/other school's observation record in the given state (draft or final)."""
    return lambda w, where, state: url_for(endpoint, observation_id=w[f"observation_{state}_{where}"],
                                           **{arg: w[key] for arg, key in ids.items()})


def visit(endpoint, **ids):
    """A route on another inspector's visit at the own/other school; `ids` name further world keys."""
    return lambda w, where: url_for(endpoint, visit_id=w[f"visit_{where}"], **{k: w[f"{v}_{where}"] for k, v in ids.items()})


def draw(endpoint):
    """A draw: a class drawn at the own/other school, or a round's (not bound to a school): its
    schools while the round is under way and once every inspection is in, and an inspector's
    assignment while under way."""
    def url(w, where, state):
        return url_for(endpoint, draw_id=w[f"draw_{state}_{where}" if state == "class" else f"draw_{state}"])
    url.unbound = {"schools_under_way", "schools_done", "assignment_under_way"}
    return url


def plan(endpoint, part, arg="plan_id", **extra):
    """A route on the own/other school's plan part (plan_draft, goal_approved, milestone_approved, ...); an
    `extra` given as a string is the world's id of that name, anything else a plain value."""
    return lambda w, where: url_for(endpoint, **{arg: w[f"{part}_{where}"]},
                                    **{k: w[f"{v}_{where}"] if isinstance(v, str) else v for k, v in extra.items()})


def document(endpoint, kind, **ids):
    """A route on the world's issued circular or its draft (office-wide: not bound to a school); `ids`
    name further world keys."""
    url = lambda w, where: url_for(endpoint, document_id=w[f"{kind}_document"], **{k: w[v] for k, v in ids.items()})  # noqa: E731
    url.school_bound = False
    return url


def self_check(endpoint, **ids):
    """A route on the own/other school's self-check in the given state (draft, submitted); `ids` name further
    world keys (<key>_<where>)."""
    return lambda w, where, state: url_for(endpoint, check_id=w[f"selfcheck_{state}_{where}"],
                                           **{arg: w[f"{key}_{where}"] for arg, key in ids.items()})


SELF_CHECK_DRAFT = {"draft": EDIT}


def report_task(endpoint):
    """A 报送 task (office-wide: not bound to a school): one sent to both schools, one to the other alone."""
    url = lambda w, where, state: url_for(endpoint, task_id=w[state])  # noqa: E731
    url.unbound = {"task_both", "task_other"}
    return url


def report_answer(endpoint):
    """The own/other school's answer to the task sent to both."""
    return lambda w, where: url_for(endpoint, answer_id=w[f"report_answer_{where}"])


def account(endpoint):
    """A route on the own/other school's principal's or 中层's account."""
    return lambda w, where, state: url_for(endpoint, user_id=w[f"user_{state}_{where}"])


def checklist(endpoint, part=None):
    """A route on the world's checklist draft (office-wide: not bound to a school); `part`: section or item."""
    def url(w, where):
        ids = {f"{part}_id": w[f"checklist_{part}"]} if part else {}
        return url_for(endpoint, version_id=w["checklist_version"], **ids)
    url.school_bound = False
    return url


ROUTES = {
    "accountability.index": Route(VIEW, fixed("accountability.index")),
    "accountability.school": Route(VIEW, school("accountability.school")),
    "accountability.create": Route(MANAGE, school("accountability.create"), ("GET", "POST")),
    "accountability.entry": Route(VIEW, lambda w, where: url_for("accountability.entry", entry_id=w[f"accountability_{where}"])),
    "accountability.run": Route(MANAGE, fixed("accountability.run"), ("POST",)),
    "auth.login": Route(None, fixed("auth.login"), ("GET",)),
    "auth.logout": Route(None, fixed("auth.logout"), ("POST",)),
    "auth.change_password": Route(SIGNED_IN, fixed("auth.change_password"), ("GET", "POST")),
    "auth.second_step": Route(None, fixed("auth.second_step"), ("GET", "POST")),
    "auth.enrol_at_sign_in": Route(None, fixed("auth.enrol_at_sign_in"), ("GET", "POST")),
    "auth.two_factor_account": Route(SECOND_FACTOR, fixed("auth.two_factor_account"), ("GET", "POST")),
    "auth.new_recovery_codes": Route(SECOND_FACTOR, fixed("auth.new_recovery_codes"), ("POST",)),
    "auth.resumed": Route(SIGNED_IN, fixed("auth.resumed")),
    "offline.worker": Route(None, fixed("offline.worker")),
    "offline.page": Route(None, fixed("offline.page")),
    "balance.index": Route(COUNTY, fixed("balance.index")),
    "balance.export_table": Route(COUNTY, fixed("balance.export_table")),
    "balance.save_rules": Route(MANAGE, fixed("balance.save_rules"), ("POST",)),
    "balance.school": Route(VIEW, school("balance.school")),
    "balance.edit": Route(EDIT, school("balance.edit", year=2026, level="PRIMARY"), ("GET", "POST")),
    "balance.preview": Route(EDIT, school("balance.preview", year=2026, level="PRIMARY"), ("POST",)),
    "balance.import_table": Route(MANAGE, fixed("balance.import_table"), ("GET", "POST")),
    "balance.import_template": Route(MANAGE, fixed("balance.import_template")),
    "checklists.index": Route(MANAGE, fixed("checklists.index")),
    "checklists.create": Route(MANAGE, fixed("checklists.create"), ("POST",)),
    "checklists.version": Route(MANAGE, checklist("checklists.version")),
    "checklists.add_section": Route(MANAGE, checklist("checklists.add_section"), ("POST",)),
    "checklists.rename_section": Route(MANAGE, checklist("checklists.rename_section", "section"), ("POST",)),
    "checklists.delete_section": Route(MANAGE, checklist("checklists.delete_section", "section"), ("POST",)),
    "checklists.move_section": Route(MANAGE, checklist("checklists.move_section", "section"), ("POST",)),
    "checklists.add_item": Route(MANAGE, checklist("checklists.add_item", "section"), ("POST",)),
    "checklists.item": Route(MANAGE, checklist("checklists.item", "item")),
    "checklists.edit_item": Route(MANAGE, checklist("checklists.edit_item", "item"), ("GET", "POST")),
    "checklists.delete_item": Route(MANAGE, checklist("checklists.delete_item", "item"), ("POST",)),
    "checklists.move_item": Route(MANAGE, checklist("checklists.move_item", "item"), ("POST",)),
    "checklists.edit_bands": Route(MANAGE, checklist("checklists.edit_bands"), ("POST",)),
    "checklists.edit_kinds": Route(MANAGE, fixed("checklists.edit_kinds", template_id=None), ("POST",)),
    "checklists.publish": Route(MANAGE, checklist("checklists.publish"), ("POST",)),
    "checklists.new_version": Route(MANAGE, checklist("checklists.new_version"), ("POST",)),
    "checklists.delete_draft": Route(MANAGE, checklist("checklists.delete_draft"), ("POST",)),
    "checklists.export_version": Route(MANAGE, checklist("checklists.export_version")),
    "checklists.import_workbook": Route(MANAGE, fixed("checklists.import_workbook"), ("GET", "POST")),
    "checklists.import_template": Route(MANAGE, fixed("checklists.import_template")),
    "classes.index": Route(VIEW, school("classes.index")),
    "classes.import_lists": Route(EDIT, school("classes.import_lists"), ("POST",)),
    "classes.download": Route(VIEW, school("classes.download")),
    "dashboard.index": Route(SIGNED_IN, fixed("dashboard.index")),
    "dashboard.county": Route(VIEW, fixed("dashboard.county")),
    "dashboard.county_export": Route(VIEW, fixed("dashboard.county_export")),
    "draws.detail": Route(States({"class": VIEW, "schools_under_way": COUNTY, "schools_done": SEES_SCHOOLS,
                                  "assignment_under_way": COUNTY}), draw("draws.detail")),
    "documents.index": Route(DOCUMENTS, fixed("documents.index")),
    "documents.faces": Route(MANAGE, fixed("documents.faces")),
    "documents.compose_from_round": Route(MANAGE, fixed("documents.compose_from_round", round_id=None), ("POST",)),
    "documents.edit": Route(MANAGE, document("documents.edit", "draft"), ("GET", "POST")),
    "documents.preview": Route(MANAGE, document("documents.preview", "draft"), ("POST",)),
    "documents.pdf": Route(DOCUMENTS, document("documents.pdf", "issued")),
    "documents.confirm_issue": Route(MANAGE, document("documents.confirm_issue", "draft")),
    "documents.issue": Route(MANAGE, document("documents.issue", "draft"), ("POST",)),
    "documents.as_correction": Route(MANAGE, document("documents.as_correction", "draft", issued_id="issued_document"),
                                     ("POST",)),
    "documents.detail": Route(DOCUMENTS, document("documents.detail", "issued")),
    "documents.remind": Route(MANAGE, document("documents.remind", "issued"), ("POST",)),
    "documents.correct": Route(MANAGE, document("documents.correct", "issued"), ("POST",)),
    "documents.inbox": Route(VIEW, fixed("documents.inbox")),
    "documents.inspection_notice": Route(States(READ_INSPECTION), inspection("documents.inspection_notice", plain={"kind": "opinion"})),
    "documents.plan_document": Route(VIEW, plan("documents.plan_document", "plan_approved")),
    "documents.observation_sheet": Route(States({"final": LESSONS, "draft": OWN_RECORD}), observation("documents.observation_sheet")),
    "documents.batch_start": Route(MANAGE, fixed("documents.batch_start", round_id=None), ("POST",)),
    "documents.batch_job": Route(MANAGE, fixed("documents.batch_job", job_id=None)),
    "documents.batch_zip": Route(MANAGE, fixed("documents.batch_zip", job_id=None)),
    "documents.batch_restart": Route(MANAGE, fixed("documents.batch_restart", job_id=None), ("POST",)),
    "documents.received": Route(VIEW, lambda w, where: url_for("documents.received", recipient_id=w[f"recipient_{where}"])),
    "documents.received_pdf": Route(VIEW, lambda w, where: url_for("documents.received_pdf", recipient_id=w[f"recipient_{where}"])),
    "documents.acknowledge": Route(EDIT, lambda w, where: url_for("documents.acknowledge", recipient_id=w[f"recipient_{where}"]), ("POST",)),
    # A school's file; a photo of a draft inspection (read as its inspection is, until approved); a self-check's
    # report; a school's 报送 file; a 责任督学 visit's photo.
    "files.download": Route(States({"file": VIEW, "file_photo_draft": INSPECT, "file_photo_draft_theirs": INSPECT,
                                    "file_self_draft": EDIT, "file_self_submitted": SELF_CHECK["submitted"],
                                    "file_report_answer": VIEW, "file_visit": VIEW}),
                            lambda w, where, state: url_for("files.download", attachment_id=w[f"{state}_{where}"])),
    "rectification.index": Route(VIEW, fixed("rectification.index")),
    "rectification.export_items": Route(VIEW, fixed("rectification.export_items")),
    "rectification.create": Route(INSPECT, fixed("rectification.create"), ("GET", "POST")),
    "rectification.from_finding": Route(States({"draft": INSPECT, "draft_theirs": INSPECT}),
                                        inspection("rectification.from_finding", item_id="item"), ("POST",)),
    "rectification.detail": Route(States({"rect": VIEW, "rect_submitted": VIEW}), rectification("rectification.detail")),
    "rectification.edit": Route(States({"rect": INSPECT, "rect_submitted": INSPECT}), rectification("rectification.edit"),
                                ("GET", "POST")),
    "rectification.report": Route(States({"rect": EDIT, "rect_submitted": EDIT}), rectification("rectification.report"),
                                  ("POST",)),
    "rectification.verify": Route(States({"rect_submitted": OFFICE, "rect": OFFICE}), rectification("rectification.verify"),
                                  ("POST",)),
    "rectification.add_file": Route(States({"rect": EDIT}), rectification("rectification.add_file"), ("POST",)),
    "rectification.delete_file": Route(States({"rect": EDIT}), rectification("rectification.delete_file", file_id="rect_file"),
                                       ("POST",)),
    "plans.index": Route(VIEW, fixed("plans.index")),
    "plans.export_board": Route(VIEW, fixed("plans.export_board")),
    "plans.school_plans": Route(VIEW, school("plans.school_plans")),
    "plans.create": Route(EDIT, school("plans.create"), ("GET", "POST")),
    "plans.detail": Route(VIEW, plan("plans.detail", "plan_draft")),
    "plans.assign_reviewer": Route(MANAGE, plan("plans.assign_reviewer", "plan_draft"), ("POST",)),
    "plans.submit": Route(EDIT, plan("plans.submit", "plan_draft"), ("POST",)),
    # The office, or the expert inspector assigned to the plan (not the signed-in inspector here).
    "plans.review": Route(MANAGE, plan("plans.review", "plan_submitted"), ("POST",)),
    "plans.add_goal": Route(EDIT, plan("plans.add_goal", "plan_draft"), ("GET", "POST")),
    "plans.edit_goal": Route(EDIT, plan("plans.edit_goal", "goal_draft", "goal_id"), ("GET", "POST")),
    "plans.delete_goal": Route(EDIT, plan("plans.delete_goal", "goal_draft", "goal_id"), ("POST",)),
    "plans.add_milestone": Route(EDIT, plan("plans.add_milestone", "goal_draft", "goal_id"), ("GET", "POST")),
    "plans.edit_milestone": Route(EDIT, plan("plans.edit_milestone", "milestone_draft", "milestone_id"), ("GET", "POST")),
    "plans.delete_milestone": Route(EDIT, plan("plans.delete_milestone", "milestone_draft", "milestone_id"), ("POST",)),
    "plans.milestone": Route(VIEW, plan("plans.milestone", "milestone_approved", "milestone_id")),
    "plans.update_milestone": Route(EDIT, plan("plans.update_milestone", "milestone_approved", "milestone_id"), ("POST",)),
    "plans.add_file": Route(EDIT, plan("plans.add_file", "milestone_approved", "milestone_id"), ("POST",)),
    "plans.delete_file": Route(EDIT, plan("plans.delete_file", "milestone_approved", "milestone_id", file_id="plan_file"),
                               ("POST",)),
    "plans.link": Route(EDIT, plan("plans.link", "milestone_approved", "milestone_id"), ("POST",)),
    "plans.unlink": Route(EDIT, plan("plans.unlink", "milestone_approved", "milestone_id", item_id="rect"), ("POST",)),
    "plans.self_assessment": Route(VIEW, plan("plans.self_assessment", "plan_approved", year=1)),
    "plans.assess_goal": Route(EDIT, plan("plans.assess_goal", "goal_approved", "goal_id", year=1), ("POST",)),
    "plans.evaluate": Route(MANAGE, lambda w, where: url_for("plans.evaluate", plan_id=w[f"plan_approved_{where}"],
                                                             kind="midterm"), ("GET", "POST")),
    "rounds.index": Route(MANAGE, fixed("rounds.index")),
    "rounds.create": Route(MANAGE, fixed("rounds.create"), ("GET", "POST")),
    "rounds.detail": Route(MANAGE, fixed("rounds.detail", round_id=None)),
    "schools.index": Route(VIEW, fixed("schools.index")),
    "schools.detail": Route(VIEW, school("schools.detail")),
    "schools.school_history": Route(VIEW, school("schools.school_history")),
    "schools.history_export": Route(VIEW, school("schools.history_export")),
    "schools.create": Route(MANAGE, fixed("schools.create"), ("GET", "POST")),
    "schools.edit": Route(MANAGE, school("schools.edit"), ("GET", "POST")),
    "schools.import_roster": Route(MANAGE, fixed("schools.import_roster"), ("GET", "POST")),
    "schools.roster_template": Route(MANAGE, fixed("schools.roster_template")),
    "schools.export_roster": Route(VIEW, fixed("schools.export_roster")),
    "users.index": Route(ACCOUNTS, fixed("users.index")),
    "users.create": Route(ACCOUNTS, fixed("users.create"), ("GET", "POST")),
    # Another principal's account (the office's alone), and a 中层's (its school's principal's too).
    "users.edit": Route(States(principal=MANAGE, staff=ACCOUNTS), account("users.edit"), ("GET", "POST")),
    "users.reset_password": Route(States(principal=MANAGE, staff=ACCOUNTS), account("users.reset_password"), ("POST",)),
    "users.reset_two_factor": Route(States(principal=MANAGE, staff=MANAGE), account("users.reset_two_factor"), ("POST",)),
    "users.toggle_active": Route(States(principal=MANAGE, staff=ACCOUNTS), account("users.toggle_active"), ("POST",)),
    "observations.index": Route(LESSONS, fixed("observations.index")),
    "observations.export_records": Route(LESSONS, fixed("observations.export_records")),
    "observations.counts": Route(OBSERVE, fixed("observations.counts")),
    "observations.quota": Route(MANAGE, fixed("observations.quota"), ("POST",)),
    "observations.start": Route(OBSERVE, fixed("observations.start"), ("GET", "POST")),
    "observations.fill": Route(States({"draft": OWN_RECORD, "final": OWN_RECORD}), observation("observations.fill")),
    "observations.save_record": Route(States({"draft": OWN_RECORD, "final": OWN_RECORD}),
                                      observation("observations.save_record"), ("POST",)),
    "observations.score": Route(States({"draft": OWN_RECORD, "final": OWN_RECORD}),
                                observation("observations.score", item_id="dimension"), ("POST",)),
    "observations.log": Route(States({"draft": OWN_RECORD, "final": OWN_RECORD}), observation("observations.log"),
                              ("POST",)),
    "observations.finish": Route(States({"draft": OWN_RECORD, "final": OWN_RECORD}), observation("observations.finish"),
                                 ("POST",)),
    "observations.detail": Route(States({"final": LESSONS, "draft": OWN_RECORD}), observation("observations.detail")),
    "observations.feedback": Route(States({"final": OWN_RECORD, "draft": OWN_RECORD}), observation("observations.feedback"),
                                   ("POST",)),
    "observations.acknowledge": Route(States({"final": EDIT, "draft": EDIT}), observation("observations.acknowledge"),
                                      ("POST",)),
    "selfcheck.index": Route(VIEW, fixed("selfcheck.index")),
    "selfcheck.ask_school": Route(MANAGE, fixed("selfcheck.ask_school"), ("GET", "POST")),
    "selfcheck.ask_round": Route(MANAGE, fixed("selfcheck.ask_round", round_id=None), ("GET", "POST")),
    "selfcheck.detail": Route(States(SELF_CHECK), self_check("selfcheck.detail")),
    "selfcheck.add_member": Route(States(SELF_CHECK_DRAFT), self_check("selfcheck.add_member"), ("POST",)),
    "selfcheck.remove_member": Route(States(SELF_CHECK_DRAFT), self_check("selfcheck.remove_member", user_id="user_principal"),
                                     ("POST",)),
    "selfcheck.add_file": Route(States(SELF_CHECK_DRAFT), self_check("selfcheck.add_file"), ("POST",)),
    "selfcheck.delete_file": Route(States(SELF_CHECK_DRAFT), self_check("selfcheck.delete_file", file_id="selfcheck_file"),
                                   ("POST",)),
    "selfcheck.submit": Route(States(SELF_CHECK_DRAFT), self_check("selfcheck.submit"), ("POST",)),
    "tasks.index": Route(VIEW, fixed("tasks.index")),
    "tasks.create": Route(MANAGE, fixed("tasks.create"), ("GET", "POST")),
    "tasks.detail": Route(States({"task_both": SEES_SCHOOLS, "task_other": COUNTY}), report_task("tasks.detail")),
    "tasks.remind": Route(MANAGE, fixed("tasks.remind", task_id=None), ("POST",)),
    "tasks.download": Route(MANAGE, fixed("tasks.download", task_id=None)),
    "tasks.workbook": Route(MANAGE, fixed("tasks.workbook", task_id=None)),
    "tasks.answer": Route(VIEW, report_answer("tasks.answer")),
    "tasks.submit": Route(EDIT, report_answer("tasks.submit"), ("POST",)),
    "tasks.return_answer": Route(MANAGE, report_answer("tasks.return_answer"), ("POST",)),
    "visits.index": Route(VIEW, fixed("visits.index")),
    "visits.create": Route(INSPECT, fixed("visits.create"), ("GET", "POST")),
    # Another inspector's visit at the own/other school: its school reads it; only they and the office change it.
    "visits.detail": Route(VIEW, visit("visits.detail")),
    "visits.edit": Route(OFFICE, visit("visits.edit"), ("GET", "POST")),
    "visits.add_photo": Route(OFFICE, visit("visits.add_photo"), ("POST",)),
    "visits.delete_photo": Route(OFFICE, visit("visits.delete_photo", file_id="visit_photo"), ("POST",)),
    "visits.sign_pdf": Route(VIEW, school("visits.sign_pdf")),
    "visits.signs": Route(MANAGE, fixed("visits.signs")),
    "visits.batch_start": Route(MANAGE, fixed("visits.batch_start"), ("POST",)),
    "visits.batch_job": Route(MANAGE, fixed("visits.batch_job", job_id="sign_job")),
    "visits.batch_pdf": Route(MANAGE, fixed("visits.batch_pdf", job_id="sign_job")),
    "visits.set_target": Route(MANAGE, fixed("visits.set_target"), ("POST",)),
    # Another inspector's portrait: they and the office (the signed-in inspector changes only their own).
    "visits.portrait": Route(OFFICE, fixed("visits.portrait", user_id="colleague"), ("GET", "POST")),
    "supervision.index": Route(VIEW, fixed("supervision.index")),
    "supervision.export_answers": Route(VIEW, fixed("supervision.export_answers")),
    "supervision.start": Route(INSPECT, fixed("supervision.start"), ("GET", "POST")),
    "supervision.detail": Route(States({**READ_INSPECTION, **READ_SELF}), inspection("supervision.detail")),
    "supervision.printable": Route(States({**READ_INSPECTION, **READ_SELF}), inspection("supervision.printable")),
    # Nobody reviews a school's self-check, the office included.
    "supervision.review": Route(States({"submitted": MANAGE, "draft": MANAGE, "self_submitted": {}}),
                                inspection("supervision.review"), ("POST",)),
    "supervision.fill": Route(States({**FILL_INSPECTION, **FILL_SELF}), inspection("supervision.fill")),
    "supervision.submit": Route(States({**FILL_INSPECTION, **FILL_SELF}), inspection("supervision.submit"), ("POST",)),
    "supervision.answer": Route(States({**FILL_INSPECTION, **FILL_SELF}), inspection("supervision.answer", item_id="item"),
                                ("POST",)),
    "supervision.add_photo": Route(States(FILL_INSPECTION), inspection("supervision.add_photo", item_id="item"), ("POST",)),
    "supervision.delete_photo": Route(States({"draft": INSPECT, "draft_theirs": OFFICE}),
                                      inspection("supervision.delete_photo", photo_id="photo"), ("POST",)),
    # The 督导组 and its sections: whoever submits (the 组长, one without an inspector whoever inspects at
    # its school) and the office; a submitted or approved one answers 409 to a change, not 403.
    "teams.edit": Route(States(FILL_INSPECTION), inspection("teams.edit"), ("GET", "POST")),
    "teams.assign": Route(States(FILL_INSPECTION), inspection("teams.assign"), ("POST",)),
    "teams.done": Route(States({"draft_theirs": MEMBER_ONLY}), inspection("teams.done", member_id="member"), ("POST",)),
}


@pytest.fixture(scope="module")
def matrix_app(_schema, tmp_path_factory):
    """The matrix's app: its world is built once (on tables emptied first, as for every test), each case rolled
    back. The next test that asks for `app` empties the tables again."""
    app = new_app(_schema, tmp_path_factory.mktemp("matrix"))
    with app.app_context():
        empty_tables()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def matrix_make_user(matrix_app):
    """One counter for the world's users and the cases' (unique usernames)."""
    return user_maker(matrix_app)


@pytest.fixture(scope="module")
def world(matrix_app, matrix_make_user):
    app, make_user = matrix_app, matrix_make_user
    make_school, make_template = school_maker(app), template_maker(app)
    make_inspection = inspection_maker(app, make_template)
    own, other = make_school(), make_school()
    version = make_template()
    # Another inspector (never signed in here): the school's own, whose draft nobody else fills and
    # whose items nobody else closes.
    colleague = make_user("inspector", schools=[own, other])
    files = {f"{status.name.lower()}_{where}": make_inspection(sid, version, status)
             for where, sid in (("own", own), ("other", other))
             for status in (InspectionStatus.APPROVED, InspectionStatus.SUBMITTED, InspectionStatus.DRAFT,
                            InspectionStatus.RETURNED)}
    files.update({f"draft_theirs_{where}": make_inspection(sid, version, InspectionStatus.DRAFT, colleague)
                  for where, sid in (("own", own), ("other", other))})
    teammate = make_user("inspector")  # a 组员 of the colleague's 督导组, never signed in here
    with app.app_context():
        for where in ("own", "other"):
            member = InspectionMember(inspection_id=files[f"draft_theirs_{where}"], user_id=teammate)
            db.session.add(member)
            db.session.commit()
            files[f"member_draft_theirs_{where}"] = member.id
    with app.app_context():
        for where, sid in (("own", own), ("other", other)):
            attachment = store(PNG, "照片.png", "image/png", school_id=sid, user_id=None)
            db.session.add(attachment)
            db.session.commit()
            files[f"file_{where}"] = attachment.id
            for state in ("draft", "draft_theirs"):
                draft = db.session.get(Inspection, files[f"{state}_{where}"])
                item = draft.version.sections[0].items[0]
                answer = Answer(inspection=draft, item=item, value="5")
                answer.photos.append(Photo(client_key="k", attachment=store(PNG, "a.png", "image/png", school_id=sid, user_id=None),
                                           thumbnail=store(PNG, "b.png", "image/png", school_id=sid, user_id=None)))
                db.session.add(answer)
                db.session.commit()
                files[f"item_{where}"], files[f"photo_{state}_{where}"] = item.id, answer.photos[0].id
                files[f"file_photo_{state}_{where}"] = answer.photos[0].attachment_id
            draw = Draw(purpose="随机抽班", school_id=sid, candidates=[["1", "一年级1班"]], count=1, seed="s", picked=["1"])
            db.session.add(draw)
            db.session.commit()
            files[f"draw_class_{where}"] = draw.id
            for kind, status in (("rect", RectificationStatus.OPEN), ("rect_submitted", RectificationStatus.SUBMITTED)):
                rect = RectificationItem(school_id=sid, problem="访问测试问题", requirement="整改", status=status,
                                         due_date=date(2026, 12, 31), inspector_id=colleague)
                rect.files.append(RectificationFile(client_key="k", attachment=store(PNG, "c.png", "image/png", school_id=sid, user_id=None)))
                db.session.add(rect)
                db.session.commit()
                files[f"{kind}_{where}"], files[f"{kind}_file_{where}"] = rect.id, rect.files[0].id
    users = {f"user_{role}_{where}": make_user(role, school_id=sid)
             for role in ("principal", "staff") for where, sid in (("own", own), ("other", other))}
    with app.app_context():  # the template editor's routes work on a draft with one section and one item
        from portal.models import ChecklistTemplate, Item, Section, TemplateVersion

        item = Item(position=1, text="访问测试项", max_points=5)
        draft = TemplateVersion(number=1, sections=[Section(position=1, title="一、访问测试", items=[item])])
        template = ChecklistTemplate(name="访问测试模板", versions=[draft])
        db.session.add(template)
        db.session.commit()
        checklist = {"checklist_version": draft.id, "checklist_section": draft.sections[0].id, "checklist_item": item.id,
                     "template_id": template.id}
        supervision_round = Round(name="访问测试批次", kind=RoundKind.SPECIAL, version_id=version, starts_on=date(2026, 9, 1),
                                  ends_on=date(2026, 9, 30))
        db.session.add(supervision_round)
        db.session.commit()
        checklist["round_id"] = supervision_round.id
        # A round's draws: its schools and one inspector's assignment while it is under way, and the
        # schools of a round whose inspections are all in.
        for state, handed_in in (("under_way", False), ("done", True)):
            schools = Draw(purpose=f"访问测试批次 学校（{state}）", candidates=[[str(own), "本校"], [str(other), "他校"]],
                           count=2, seed="s", picked=[str(own), str(other)])
            assignment = Draw(purpose="访问测试批次 督学", candidates=[[str(colleague), "同事"]], count=1, seed="s",
                              picked=[str(colleague)])
            drawn = Round(name=f"访问测试随机批次（{state}）", kind=RoundKind.RANDOM, version_id=version,
                          starts_on=date(2026, 9, 1), ends_on=date(2099, 12, 31), school_draw=schools)
            db.session.add_all([schools, assignment, drawn])
            db.session.flush()
            status = InspectionStatus.SUBMITTED if handed_in else InspectionStatus.DRAFT
            for sid in (own, other):
                db.session.add(Inspection(school_id=sid, version_id=version, visit_date=date(2026, 11, 20), status=status,
                                          round=drawn, inspector_id=colleague,
                                          inspector_draw=assignment if sid == own else None))
            db.session.commit()
            files[f"draw_schools_{state}"] = schools.id
            if not handed_in:
                files["draw_assignment_under_way"] = assignment.id
    with app.app_context():  # a record at each school, open and finished, by an observer not signed in here
        from portal.models import Observation, ObservationStatus
        from portal.observations.rubric import load_default_rubric

        rubric = load_default_rubric().versions[0]
        observer = db.session.get(User, make_user("leader"))
        for where, sid in (("own", own), ("other", other)):
            for status in ObservationStatus:
                record = Observation(school_id=sid, observer=observer, version=rubric, observed_on=date(2026, 11, 20),
                                     status=status)
                db.session.add(record)
                db.session.flush()
                files[f"observation_{status.name.lower()}_{where}"] = record.id
        db.session.commit()
        files["dimension"] = rubric.sections[0].items[0].id
    with app.app_context():  # a plan at each school in draft, awaiting review and approved, each with a goal and a milestone
        from portal.models import Dimension, Goal, Milestone, Plan, PlanFile, PlanStatus
        from portal.plans.progress import school_year
        from portal.clock import today

        start = school_year(today()) - 1
        for where, sid in (("own", own), ("other", other)):
            for kind, status in (("draft", PlanStatus.DRAFT), ("submitted", PlanStatus.SUBMITTED),
                                 ("approved", PlanStatus.APPROVED)):
                milestone = Milestone(title="访问测试里程碑", due_date=date(start + 1, 6, 30), owner="教务处", result="x")
                if status is PlanStatus.APPROVED:
                    milestone.files.append(PlanFile(client_key="k", attachment=store(PNG, "d.png", "image/png", school_id=sid,
                                                                                   user_id=None)))
                record = Plan(school_id=sid, start_year=start + ("draft", "submitted", "approved").index(kind) * 3,
                              title="访问测试规划", status=status, goals=[Goal(dimension=Dimension.TEACHING, text="访问测试目标",
                                                                          milestones=[milestone])])
                db.session.add(record)
                db.session.commit()
                files.update({f"plan_{kind}_{where}": record.id, f"goal_{kind}_{where}": record.goals[0].id,
                              f"milestone_{kind}_{where}": milestone.id})
            files[f"plan_file_{where}"] = milestone.files[0].id


    with app.app_context():  # a self-check at each school still being filled, and one handed in, each with its report
        from portal.models import Purpose, SelfCheck, SelfCheckFile
        from portal.models.base import utcnow

        for where, sid in (("own", own), ("other", other)):
            for state in ("draft", "submitted"):
                handed_in = state == "submitted"
                check = SelfCheck(school_id=sid, due_on=date(2026, 12, 31), inspection=Inspection(
                    school_id=sid, version_id=version, visit_date=date(2026, 11, 20), purpose=Purpose.SELF,
                    status=InspectionStatus.SUBMITTED if handed_in else InspectionStatus.DRAFT,
                    submitted_at=utcnow() if handed_in else None))
                check.inspection.answers.append(Answer(item_id=files[f"item_{where}"], value="5"))
                check.files.append(SelfCheckFile(client_key="k", attachment=store(PNG, "自查报告.png", "image/png",
                                                                                  school_id=sid, user_id=None)))
                db.session.add(check)
                db.session.commit()
                files[f"selfcheck_{state}_{where}"], files[f"self_{state}_{where}"] = check.id, check.inspection_id
                files[f"file_self_{state}_{where}"] = check.files[0].attachment_id
                if not handed_in:
                    files[f"selfcheck_file_{where}"] = check.files[0].id
    with app.app_context():  # a circular issued to both schools, and a draft
        from portal.models import Document, DocumentRecipient, DocumentStatus

        issued = Document(title="访问测试通报", status=DocumentStatus.ISSUED, number="X教督〔2026〕99号", prefix="X教督",
                          year=2026, sequence=99, opening="正文。", signed_on=date(2026, 11, 23), issuer="督导室",
                          recipients=[DocumentRecipient(school_id=sid) for sid in (own, other)])
        draft = Document(title="访问测试草稿", opening="正文。", deadline=date(2026, 12, 31), create_items=False)
        db.session.add_all([issued, draft])
        db.session.commit()
        files.update(issued_document=issued.id, draft_document=draft.id,
                     recipient_own=issued.recipients[0].id, recipient_other=issued.recipients[1].id)
        from portal.models import DocumentJob, JobStatus

        job = DocumentJob(round_id=checklist["round_id"], kind="opinion", status=JobStatus.DONE,
                          zip=store(PNG, "批量.zip", "application/zip", school_id=None, user_id=None))
        db.session.add(job)
        db.session.commit()
        files["job_id"] = job.id
    with app.app_context():  # a 问责 record at each school
        from portal.models import Accountability, Measure

        for where, sid in (("own", own), ("other", other)):
            entry = Accountability(school_id=sid, measure=Measure.TALK, taken_on=date(2026, 11, 23), reason="访问测试问责")
            db.session.add(entry)
            db.session.commit()
            files[f"accountability_{where}"] = entry.id
    with app.app_context():  # a table task sent to both schools, and a file task to the other alone
        from portal.models import ReportAnswer, ReportTask, TaskKind

        both = ReportTask(title="访问测试报送", kind=TaskKind.TABLE, headers=["备注"], due_date=date(2099, 12, 31),
                          answers=[ReportAnswer(school_id=sid, attachment=store(PNG, "e.png", "image/png", school_id=sid,
                                                                                 user_id=None)) for sid in (own, other)])
        theirs = ReportTask(title="访问测试报送（他校）", kind=TaskKind.FILE, due_date=date(2099, 12, 31),
                            answers=[ReportAnswer(school_id=other)])
        db.session.add_all([both, theirs])
        db.session.commit()
        files.update(task_both=both.id, task_other=theirs.id, task_id=both.id,
                     report_answer_own=both.answers[0].id, report_answer_other=both.answers[1].id,
                     file_report_answer_own=both.answers[0].attachment_id,
                     file_report_answer_other=both.answers[1].attachment_id)
    with app.app_context():  # a visit by the colleague at each school, with a photo; their portrait; a finished batch of signs
        from portal.models import Portrait, SignJob, Visit, VisitPhoto

        for where, sid in (("own", own), ("other", other)):
            record = Visit(school_id=sid, inspector_id=colleague, visited_on=date(2026, 11, 20), checked=["safety"],
                           findings="访问测试", photos=[VisitPhoto(client_key="k", attachment=store(
                               PNG, "e.png", "image/png", school_id=sid, user_id=None))])
            db.session.add(record)
            db.session.commit()
            files[f"visit_{where}"], files[f"visit_photo_{where}"] = record.id, record.photos[0].id
            files[f"file_visit_{where}"] = record.photos[0].attachment_id
        db.session.add(Portrait(user_id=colleague, client_key="k",
                                attachment=store(PNG, "f.png", "image/png", school_id=None, user_id=None)))
        signs = SignJob(status=JobStatus.DONE, total=2, done=2,
                        pdf=store(b"%PDF-1.4", "公示牌.pdf", "application/pdf", school_id=None, user_id=None))
        db.session.add(signs)
        db.session.commit()
        files.update(sign_job=signs.id, colleague=colleague)
    return {"own": own, "other": other, **files, **users, **checklist}


@pytest.fixture
def case_app(matrix_app, world):
    """The matrix's app for one case: what the case writes, rows and stored files, is undone after it."""
    folder = Path(matrix_app.config["UPLOAD_FOLDER"])
    stored = {path: path.read_bytes() for path in folder.rglob("*") if path.is_file()}
    with rolled_back(matrix_app):
        yield matrix_app
    for path in folder.rglob("*"):
        if path.is_file() and path not in stored:
            path.unlink()
    for path, data in stored.items():
        if not path.exists():
            path.write_bytes(data)


def sign_in(client, make_user, role, world):
    kwargs = {"principal": {"school_id": world["own"]}, "staff": {"school_id": world["own"]},
              "inspector": {"schools": [world["own"]]}}.get(role, {})
    user_id = make_user(role, **kwargs)

    with client.application.app_context():
        username = db.session.get(User, user_id).username
    token = csrf_token(client)
    assert client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token}).status_code == 303


@pytest.fixture(scope="module")
def sessions(matrix_app, matrix_make_user, world):
    """Each role signed in once, before the cases: its session cookie and CSRF token. A case starts from
    the session as it was just after signing in (whatever a case does to it, logging out included, is
    rolled back with the case)."""
    found = {}
    for role in ROLES:
        client = matrix_app.test_client()
        sign_in(client, matrix_make_user, role, world)
        token = csrf_token(client, "/account/password")
        found[role] = client.get_cookie(matrix_app.config["SESSION_COOKIE_NAME"]).value, token
    return found


def test_every_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    assert endpoints == set(ROUTES), "add the new route(s) to ROUTES with the rule they follow"


def cases():
    for endpoint, route in ROUTES.items():
        for state, _, bound in route.variants():
            for method in route.methods:
                for role in ("anonymous", *ROLES):
                    for where in ("own", "other") if bound else ("any",):
                        name = f"{endpoint}{f'[{state}]' if state else ''}-{method}-{role}-{where}"
                        yield pytest.param(endpoint, state, method, role, where, id=name)


@pytest.mark.parametrize("endpoint,state,method,role,where", list(cases()))
def test_access(case_app, sessions, world, endpoint, state, method, role, where):
    route = ROUTES[endpoint]
    rule = route.rule[state] if state else route.rule
    client = case_app.test_client()
    if role == "anonymous":
        token = csrf_token(client, "/login") if method == "POST" else None
    else:
        cookie, token = sessions[role]
        client.set_cookie(case_app.config["SESSION_COOKIE_NAME"], cookie)
    with case_app.test_request_context():
        url = route.url(world, where, state) if state else route.url(world, where)
    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, data={"csrf_token": token})
    code = response.status_code
    response.close()
    if rule is None:
        assert code not in (401, 403, 500)
    elif role == "anonymous":
        assert code == 302 and response.headers["Location"].startswith("/login")
    elif (where in rule.get(role, set())) or (where == "any" and role in rule):
        assert code not in (302, 401, 403, 404, 500), f"{role} should reach {url}"
    else:
        assert code == 403, f"{role} must not reach {url} ({where} school), got {code}"


def test_inspector_list_shows_only_their_schools(app, client, make_user, make_school):
    mine, theirs = make_school(name="我的学校"), make_school(name="别人的学校")
    user_id = make_user("inspector", schools=[mine])

    with app.app_context():
        username = db.session.get(User, user_id).username
    client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": csrf_token(client)})
    html = client.get("/schools/").get_data(as_text=True)
    assert "我的学校" in html and "别人的学校" not in html
    assert client.get(f"/schools/{theirs}").status_code == 403  # it exists, out of their reach


def test_principal_list_shows_only_own_school(app, auth, client, make_school):
    own = make_school(name="本校小学")
    make_school(name="邻校小学")
    auth.login_as(Role.PRINCIPAL, school_id=own)
    html = client.get("/schools/?q=小学").get_data(as_text=True)
    assert "本校小学" in html and "邻校小学" not in html
