"""The one place that decides what a staff member may see and change.

Every list, detail page, form choice, admin page, export and search asks this module. A user's
scope is the path prefix of their region: a village clerk sees codes under the village, a county
administrator everything under the county. A person is in scope when they live (常住地) or are
registered (户籍地) there, so that both places can work a person who is 人户分离.

What a user may do is a capability function here (`can_push`, `can_sign`, …), one per decision,
grouped by concern; services, views, forms, admin and templates (as `caps.<name>`, through the
context processor) ask these and never compare `user.role` themselves, so that a page offers
exactly what its view will accept. Roles are allow-listed per capability: a role added later
may do nothing until a capability names it.
"""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from . import regions
from .models import Role, User
# Conditions on region codes, re-exported: callers ask scope for everything about regions.
from .region_filters import code_under, region_q_prefix, region_q_range  # noqa: F401

READ_ONLY_ROLES = {Role.CITY_LEADER}
# Roles that administer profiles, standards and jobs for their region.
ADMIN_ROLES = {Role.COUNTY_ADMIN}


def region_prefix(user) -> str | None:
    """The code prefix the user sees: '' for everything (superuser), None for nothing."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return ""
    if not user.region_id or not user.role:
        return None
    return regions.prefix_of(user.region_id)


def can_write(user) -> bool:
    return region_prefix(user) is not None and (
        user.is_superuser or user.role not in READ_ONLY_ROLES
    )


def is_admin(user) -> bool:
    return user.is_superuser or (region_prefix(user) is not None and user.role in ADMIN_ROLES)


def require_write(user) -> None:
    if not can_write(user):
        raise PermissionDenied("您的账号为只读权限，不能修改数据。")


# --- Payments: third-party payers ------------------------------------------------------------

def can_manage_payers(user) -> bool:
    """Name third-party payers, keep their lists and record their batch payments (county
    administrators and township officers; village clerks collect from people, not payers)."""
    return can_write(user) and (user.is_superuser or user.role in OUTREACH_MANAGER_ROLES)


# --- Data exchange: department feeds ---------------------------------------------------------

# Department files (公安, 卫健, 统计 …) arrive at the township or the county, not the village.
FEED_ROLES = {Role.TOWNSHIP_OFFICER, Role.COUNTY_ADMIN}


def can_import_feeds(user) -> bool:
    """数据交换: upload another department's file for one's region, confirm it and read the
    reports (township and county staff; not village clerks, grid workers or leaders)."""
    return can_write(user) and (user.is_superuser or user.role in FEED_ROLES)


def can_import_population(user) -> bool:
    """The statistics bureau's official population, the dashboards' denominator: county
    administrators (as in the admin)."""
    return can_import_feeds(user) and is_admin(user)


# --- Benefits: the yearly recalculation ------------------------------------------------------

def can_recalculate(user) -> bool:
    """Start or resume a recalculation of benefit status (county administrators)."""
    return is_admin(user) and can_write(user)


def follows_all_region_jobs(user) -> bool:
    """The all-region runs (the 1 January recalculation) concern county administrators and
    city leaders, who follow them, though neither region covers them."""
    return is_admin(user) or (region_prefix(user) is not None and user.role == Role.CITY_LEADER)


# --- Outreach: ledger, tasks, grids, targets and campaigns -----------------------------------

# Counties push the ledger down to townships, townships sign for it, county and township staff
# run the outreach (ledger generation, grids, targets, campaigns); the city leader reads.
PUSH_ROLES = {Role.COUNTY_ADMIN}
SIGN_ROLES = {Role.TOWNSHIP_OFFICER, Role.COUNTY_ADMIN}
OUTREACH_MANAGER_ROLES = {Role.COUNTY_ADMIN, Role.TOWNSHIP_OFFICER}
BATCH_READER_ROLES = OUTREACH_MANAGER_ROLES | {Role.CITY_LEADER}


def is_grid_worker(user) -> bool:
    """The account is a grid worker's: it may be given grids and tasks."""
    return user.role == Role.GRID_WORKER


def sees_own_tasks_only(user) -> bool:
    """A grid worker works from their own list: the tasks given to them and the ledger of the
    grids they work, not the region under their grid code."""
    return is_grid_worker(user) and not user.is_superuser


def can_push(user) -> bool:
    """数据下发: push ledger entries down to a township as a batch of tasks."""
    return can_write(user) and (user.is_superuser or user.role in PUSH_ROLES)


def can_sign(user) -> bool:
    """签领 and 汇总反馈: sign for pushed tasks and report finished ones (the township's region
    is checked by the service)."""
    return can_write(user) and (user.is_superuser or user.role in SIGN_ROLES)


def can_assign(user) -> bool:
    """Give grids and tasks to grid workers (not a grid worker themselves)."""
    return can_write(user) and (user.is_superuser or not is_grid_worker(user))


def can_manage_outreach(user) -> bool:
    """Generate the ledger, manage grid workers, set targets and organise campaigns."""
    return can_write(user) and (user.is_superuser or user.role in OUTREACH_MANAGER_ROLES)


def can_view_batches(user) -> bool:
    """See the pushed batches of the region (those who push, sign or follow them)."""
    return user.is_superuser or user.role in BATCH_READER_ROLES


def grid_worker_accounts() -> QuerySet:
    """Active grid worker accounts (everywhere: narrow by region)."""
    return User.objects.filter(role=Role.GRID_WORKER, is_active=True)


def grid_workers(user) -> QuerySet:
    """Active grid worker accounts in the user's region."""
    return grid_worker_accounts().filter(region_q(user, "region_id"))


# --- Querysets: what a user may see ----------------------------------------------------------


def region_q(user, *fields: str) -> Q:
    """A filter that keeps rows whose region field(s) lie under the user's region.

    `fields` are lookups that hold region codes, e.g. "residence_region_id" or
    "person__hukou_region_id"; a row is kept when any of them matches.
    """
    prefix = region_prefix(user)
    if prefix is None:
        return Q(pk__in=[])
    if prefix == "":
        return Q()
    return region_q_prefix(prefix, *fields)


def user_region_q_range(user, field: str) -> Q:
    """`region_q` for one field as a code range (see `region_q_range`)."""
    prefix = region_prefix(user)
    if prefix is None:
        return Q(pk__in=[])
    return region_q_range(prefix, field)


def filter_regions(user, qs: QuerySet) -> QuerySet:
    """Regions the user may see: their own and everything under it."""
    return qs.filter(region_q(user, "code"))


def filter_persons(user, qs: QuerySet, prefix: str = "") -> QuerySet:
    """Persons the user may see (residence or household registration in scope)."""
    return qs.filter(region_q(user, f"{prefix}residence_region_id", f"{prefix}hukou_region_id"))


def region_in_scope(user, code: str) -> bool:
    return code_under(region_prefix(user), code)


def get_person_or_404(user, pk):
    """Fetch a person the user may see; a neighbour's person is a 404, not a 403, so that
    an ID cannot be probed by URL."""
    from .models import Person

    try:
        return get_object_or_404(filter_persons(user, Person.objects.all()), pk=pk)
    except (TypeError, ValueError):  # an id that is no number ("?person=²") finds nobody
        from django.http import Http404

        raise Http404("人员不存在。") from None


# --- Separation of duties (MLPS 8.1.4.2) -----------------------------------------------------
# The system, security and audit administrators each do one thing and none works the registry
# (they hold no region, so region_prefix() gives them nothing); the superuser is the
# installation's account of last resort and may do all three, but even it cannot change or
# delete an audit row (the database refuses).

DUTY_ROLES = {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}
# Roles whose accounts must present a second factor (TOTP) after the password.
OTP_REQUIRED_ROLES = {Role.COUNTY_ADMIN, *DUTY_ROLES}


def _active(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


def can_read_audit(user) -> bool:
    """The audit page and the audit rows in the admin: the audit administrator (and the
    superuser)."""
    return _active(user) and (user.is_superuser or user.role == Role.AUDIT_ADMIN)


def can_manage_accounts(user) -> bool:
    """Staff accounts, roles and login locks: the security administrator (and the superuser)."""
    return _active(user) and (user.is_superuser or user.role == Role.SECURITY_ADMIN)


def can_administer_system(user) -> bool:
    """Schedules, settings data and other system configuration in the admin."""
    return _active(user) and (user.is_superuser or user.role == Role.SYSTEM_ADMIN)


def is_duty_admin(user) -> bool:
    """One of the three separated administrators (not the superuser): they may open only the
    pages of their duty, never the registry's."""
    return _active(user) and not user.is_superuser and user.role in DUTY_ROLES


def requires_otp(user) -> bool:
    """Accounts that must verify a TOTP code after the password before any page opens."""
    return _active(user) and (user.is_superuser or user.role in OTP_REQUIRED_ROLES)


# --- The admin: read-only except what a role administers -------------------------------------
# The admin is no back door: registry rows are written by the pages and services, and for staff
# other than the superuser the admin shows them read-only. A role may add and change only the
# models it administers, within its region (model labels, so that this module names no app
# above it). Regions, policy profiles, year standards and staff accounts are the superuser's
# (accounts also the security administrator's, see can_manage_accounts).
ADMIN_WRITABLE = {
    "outreach.gridassignment": {Role.COUNTY_ADMIN},
    "outreach.enrollmenttarget": {Role.COUNTY_ADMIN},
    "outreach.campaigntarget": {Role.COUNTY_ADMIN},
    # The official population is the denominator of the county's targets.
    "enrollment.officialpopulation": {Role.COUNTY_ADMIN},
}


def can_admin_write(user, model) -> bool:
    """Add and change rows of `model` (a model class or "app.model" label) in the admin."""
    if not can_write(user):
        return False
    if user.is_superuser:
        return True
    label = model if isinstance(model, str) else model._meta.label_lower
    return user.role in ADMIN_WRITABLE.get(label, ())


def can_reveal_in_admin(user) -> bool:
    """The audited reveal of whole ID and phone numbers from the admin (like the person page's
    button): staff who may see the row."""
    return region_prefix(user) is not None


# --- Files: merging duplicates, asking for a person registered elsewhere ---------------------

MERGE_ROLES = {Role.COUNTY_ADMIN}
TRANSFER_ROLES = {Role.VILLAGE_CLERK, Role.TOWNSHIP_OFFICER, Role.COUNTY_ADMIN}


def can_merge_persons(user) -> bool:
    """Merge two files of one person (一人一档) in the user's region: county administrators."""
    return can_write(user) and (user.is_superuser or user.role in MERGE_ROLES)


def can_request_transfer(user) -> bool:
    """Ask for a person whose file another village holds (申请转入), and answer such requests
    for the files of one's own region."""
    return can_write(user) and (user.is_superuser or user.role in TRANSFER_ROLES)


# --- The monthly comparison: the review queue (比对核查) -------------------------------------

def can_review_findings(user) -> bool:
    """The review queue of the monthly comparison: staff of a region (the city leader reads),
    not a grid worker, who works from their own tasks."""
    return region_prefix(user) is not None and not sees_own_tasks_only(user)


def can_resolve_findings(user) -> bool:
    """Resolve a finding (stop, mark enrolled elsewhere, dismiss, record a check) and start a
    comparison of one's region now; merging two files also needs `can_merge_persons`."""
    return can_write(user) and can_review_findings(user)


def filter_findings(user, qs: QuerySet) -> QuerySet:
    """Findings the user may see: owned by their region (household registration) or about a
    person living in it (人户分离: one row that both places see)."""
    if not can_review_findings(user):
        return qs.none()
    return qs.filter(region_q(user, "region_id", "residence_region_id"))


# --- Dashboards: the evaluation --------------------------------------------------------------

def can_set_evaluation_weights(user) -> bool:
    """The weights of the 综合评价 are the province's scheme: the superuser keeps them; county
    administrators read them (and every scorecard shows them)."""
    return user.is_authenticated and user.is_active and user.is_superuser


# --- Landing pages: each role's day starts on the page of its work ---------------------------

LEADER_ROLES = {Role.CITY_LEADER, Role.COUNTY_ADMIN}
CLERK_ROLES = {Role.VILLAGE_CLERK, Role.TOWNSHIP_OFFICER}


def lands_on_tasks(user) -> bool:
    """A grid worker's day is their task list (我的任务)."""
    return sees_own_tasks_only(user) and region_prefix(user) is not None


def lands_on_dashboard(user) -> bool:
    """City and county leaders follow the coverage of their region (参保看板)."""
    return region_prefix(user) is not None and not user.is_superuser and (
        user.role in LEADER_ROLES)


def lands_on_worklist(user) -> bool:
    """Village and township clerks start on their work list: the deadline radar, today's
    collection and the tasks waiting for them."""
    return region_prefix(user) is not None and not user.is_superuser and (
        user.role in CLERK_ROLES)


def can_read_radar(user) -> bool:
    """The deadline radar (and the work list around it): staff of a region, not a grid worker,
    who works from their own tasks."""
    return region_prefix(user) is not None and not sees_own_tasks_only(user)


def can_task_from_radar(user) -> bool:
    """Hand a radar line to the grid worker of the person's grid as a task, in one tap: the
    staff who read the radar and may give tasks to grid workers."""
    return can_read_radar(user) and can_assign(user)


def village_contacts(region_code: str) -> QuerySet:
    """Who a villager calls about enrollment: the active clerks of the village (or of the
    township above it, where the village has none), nearest first."""
    codes = [regions.ancestor_code(region_code, level)
             for level in (regions.VILLAGE, regions.TOWNSHIP)
             if regions.LEVEL_LENGTH[level] <= len(regions.prefix_of(region_code))]
    return User.objects.filter(role__in=CLERK_ROLES, is_active=True, region_id__in=codes) \
        .order_by("-region_id", "pk")


def sees_whole_phone(user, whose) -> bool:
    """Whole phone numbers where the work is calling them: a village clerk's own villagers
    (those living in the village: the clerk of the village a person is only registered in, 人户
    分离, sees the number masked, as everyone else does), a grid worker's own tasks. Leaders,
    townships and counties, other villages and a grid worker elsewhere see them masked.

    `whose`: a region code, a person, a ledger entry, or a task (a task names its worker, so a
    grid worker sees the numbers of the tasks given to them). Every page and export that
    shows a phone number asks this."""
    if region_prefix(user) is None or user.is_superuser:
        return False
    if is_grid_worker(user):
        return getattr(whose, "worker_id", None) == user.pk
    if user.role != Role.VILLAGE_CLERK:
        return False
    code = _residence_code(whose)
    return bool(code) and code.startswith(regions.prefix_of(user.region_id))


def _residence_code(whose) -> str:
    """Where the owner of a phone number lives: a code, a person's residence, a residence-side
    ledger entry's village (a household-registration entry names no residence), a task's entry's."""
    if isinstance(whose, str):
        return whose
    if hasattr(whose, "residence_region_id"):
        return whose.residence_region_id or ""
    if hasattr(whose, "entry_id"):
        return _residence_code(whose.entry)
    if getattr(whose, "side", "") == "residence":
        return whose.region_id or ""
    return ""


def shown_phone(user, whose, phone: str | None) -> str:
    """The phone number as `user` may see it for `whose` (see sees_whole_phone)."""
    from . import idnumbers

    if not phone:
        return ""
    return phone if sees_whole_phone(user, whose) else idnumbers.mask_phone(phone)


# --- The data-sharing API: who hands out department tokens (what a token sees: api/access.py) -

def can_issue_api_tokens(user) -> bool:
    """Issue, change and list department tokens (admin): the superuser only. A token opens the
    registry of its region to another system, so no regional role may hand one out."""
    return _active(user) and user.is_superuser
