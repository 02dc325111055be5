"""Schools (一校一档) and employers (一企一档) as the departments' lists name them: found by
their code, created when new, renamed when the list says so. Audited; scoped by the unit's
region."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied

from .. import scope
from ..audit import audit_record
from ..models import AuditEntry, Enterprise, Region, School
from .groups import CREATED, UNCHANGED, UPDATED


def _save_unit(actor, model, key_field: str, key: str, values: dict, region: Region,
               label: str, request=None):
    """The unit of `key`, created in `region` or updated to `values`; (unit, state)."""
    scope.require_write(actor)
    unit = model.objects.filter(**{key_field: key}).first()
    if unit is None:
        if not scope.region_in_scope(actor, region.code):
            raise PermissionDenied(f"只能在本辖区内登记{label}。")
        unit = model(**{key_field: key}, region=region, **values)
        state = CREATED
    else:
        changed = [f for f, v in values.items() if getattr(unit, f) != v]
        if not changed:  # naming a unit of another region is reading it, not changing it
            return unit, UNCHANGED
        if not scope.region_in_scope(actor, unit.region_id):
            raise PermissionDenied(f"该{label}不在您的辖区内，不能修改其名称或类型。")
        for field in changed:
            setattr(unit, field, values[field])
        state = UPDATED
    unit.full_clean(validate_unique=False, validate_constraints=False)
    unit._history_user = actor
    unit.save()
    audit_record(user=actor, action=AuditEntry.Action.CREATE if state == CREATED
                 else AuditEntry.Action.UPDATE, obj=unit,
                 detail=f"{label}{key}：{unit}", request=request)
    return unit, state


def school_save(*, actor, code: str, name: str, kind: str, region: Region, request=None):
    """一校一档: the school of `code`, created or updated (name, type); (school, state)."""
    return _save_unit(actor, School, "code", code, {"name": name, "kind": kind}, region,
                      "学校", request)


def enterprise_save(*, actor, credit_code: str, name: str, region: Region, request=None):
    """一企一档: the employer of a unified social credit code; (enterprise, state)."""
    return _save_unit(actor, Enterprise, "credit_code", credit_code, {"name": name}, region,
                      "用人单位", request)
