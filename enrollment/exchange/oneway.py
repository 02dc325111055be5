"""What the department feeds that record enrollments share: the one door's refusals as row
problems, and the live enrollments of a batch found in one query."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError

from ..models import Enrollment, LIVE_STATUSES
from ..services import enrollment_preview
from .cells import RowReader


def live_enrollments(person_ids, years, scheme: str) -> dict[tuple[int, int], list[Enrollment]]:
    """{(person, year): live enrollments of the scheme}, for the whole batch at once."""
    found: dict[tuple[int, int], list[Enrollment]] = {}
    if not person_ids:
        return found
    for e in Enrollment.objects.filter(person__in=set(person_ids), year__in=set(years),
                                       scheme=scheme, status__in=LIVE_STATUSES) \
            .select_related("employer").order_by("pk"):
        found.setdefault((e.person_id, e.year), []).append(e)
    return found


def preview_problems(reader: RowReader, columns: dict[str, str], **arguments) -> None:
    """Ask the one door what recording the row would do, writing nothing; each refusal
    becomes a problem on the column of the refused field (`columns`: field → header)."""
    try:
        plan = enrollment_preview(**arguments)
    except PermissionDenied:
        reader.problem("", "该人员不在您的辖区内。", "请由其户籍地或常住地所在的村（社区）、乡镇导入。")
        return
    except ValidationError as exc:
        errors = getattr(exc, "message_dict", {"": exc.messages})
    else:
        errors = plan.errors
    for field, messages in errors.items():
        for message in messages:
            reader.problem(columns.get(field, ""), message,
                           "请核对该行；如确有此情况，请与数据提供部门或县级经办机构核实。")


def refused(row, exc: ValidationError) -> ValidationError:
    """A refusal met while applying (the registry changed since the check): the file stops,
    naming the row."""
    messages = [m for ms in getattr(exc, "message_dict", {"": exc.messages}).values() for m in ms]
    return ValidationError(f"第{row.row}行：{'；'.join(messages)}（请重新上传文件检查后再导入）")
