"""Region scope for the admin: every ModelAdmin of the project mixes this in, so that the admin
shows a clerk only their region, like every page does, is read-only except for what the user's
role administers (scope.can_admin_write), offers in every foreign-key and many-to-many field only
rows the user may see, and shows ID and phone numbers masked (whole only through the audited
reveal action)."""
from __future__ import annotations

from django.contrib import admin, messages

from . import idnumbers, scope
from .admin_import import UploadImportMixin
from .models import Region

# Numbers shown masked and read-only on change forms: field name -> the admin's display method.
SENSITIVE_FIELDS = {"id_number": "masked_id_number", "birth_cert_number": "masked_birth_cert",
                    "phone": "masked_phone_number"}
REVEAL_LIMIT = 20


def scoped_choices(admin_site, request, model):
    """The rows of `model` a foreign key or many-to-many field may point at for this user: what
    the user may see of it (the model's own admin queryset, which asks scope.py); nothing of a
    model the admin does not scope. The superuser is not limited."""
    user = request.user
    if user.is_superuser:
        return model._default_manager.all()
    if model is Region:
        return scope.filter_regions(user, Region.objects.all())
    related = admin_site._registry.get(model)
    if isinstance(related, ScopedAdminMixin):
        return related.get_queryset(request)
    return model._default_manager.none()


@admin.action(description="显示完整证件号码和电话（记入操作日志）")
def reveal_numbers(modeladmin, request, queryset):
    from .audit import audit_record
    from .models import AuditEntry, Person

    if not scope.can_reveal_in_admin(request.user):
        return
    for obj in queryset[:REVEAL_LIMIT]:
        numbers = [f"{obj._meta.get_field(f).verbose_name}{getattr(obj, f)}"
                   for f in modeladmin.sensitive_fields() if getattr(obj, f, "")]
        person = obj if isinstance(obj, Person) else getattr(obj, "person", None)
        audit_record(user=request.user, action=AuditEntry.Action.VIEW_ID, person=person,
                     obj=obj, detail="后台查看完整号码", request=request)
        messages.info(request, f"{obj}：{'，'.join(numbers) or '无号码'}")


class ScopedAdminMixin(UploadImportMixin):
    # Lookups holding region codes; a row is visible when any lies under the user's region.
    scope_fields: tuple[str, ...] = ()

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if not self.scope_fields:
            return qs if request.user.is_superuser else qs.none()
        return qs.filter(scope.region_q(request.user, *self.scope_fields))

    def history_view(self, request, object_id, extra_context=None):
        # simple_history's view loads the object without get_queryset(): check scope first.
        self._get_scoped_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context=extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._get_scoped_or_404(request, object_id)
        return super().history_form_view(request, object_id, version_id,
                                         extra_context=extra_context)

    def _get_scoped_or_404(self, request, object_id):
        from django.contrib.admin.utils import unquote
        from django.http import Http404

        if self.get_object(request, unquote(object_id)) is None:
            raise Http404("不在您的辖区内或不存在。")

    def _has_scope(self, request):
        return scope.region_prefix(request.user) is not None and request.user.is_staff

    def has_module_permission(self, request):
        return self._has_scope(request)

    def has_view_permission(self, request, obj=None):
        return self._has_scope(request)

    def has_add_permission(self, request, *args):
        return self._has_scope(request) and scope.can_admin_write(request.user, self.model)

    def has_change_permission(self, request, obj=None):
        return self._has_scope(request) and scope.can_admin_write(request.user, self.model)

    def has_delete_permission(self, request, obj=None):
        # Registry rows are ended (stopped, deceased), never deleted, except by a superuser.
        return request.user.is_superuser

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Every relation, not only the one that places the row: a raw id field otherwise
        # accepts any id typed in (another county's grid worker, another village's household).
        if not request.user.is_superuser and "queryset" not in kwargs:
            kwargs["queryset"] = scoped_choices(self.admin_site, request,
                                                db_field.related_model)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if not request.user.is_superuser and "queryset" not in kwargs:
            kwargs["queryset"] = scoped_choices(self.admin_site, request,
                                                db_field.related_model)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    # ID and phone numbers: masked and read-only on change forms, whole only by the action.
    def sensitive_fields(self) -> list[str]:
        names = {f.name for f in self.model._meta.concrete_fields}
        return [f for f in SENSITIVE_FIELDS if f in names]

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        return exclude + self.sensitive_fields() if obj is not None else exclude or None

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is None:
            return fields
        hidden = self.sensitive_fields()
        return [f for f in fields if f not in hidden] + [SENSITIVE_FIELDS[f] for f in hidden]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        hidden = self.sensitive_fields()
        return [(name, {**opts, "fields": _swap(opts["fields"], hidden)})
                for name, opts in fieldsets]

    def get_actions(self, request):
        actions = super().get_actions(request)
        if self.sensitive_fields() and scope.can_reveal_in_admin(request.user):
            actions["reveal_numbers"] = (reveal_numbers, "reveal_numbers",
                                         reveal_numbers.short_description)
        return actions

    @admin.display(description="证件号码")
    def masked_id_number(self, obj):
        return idnumbers.mask(obj.id_number) if obj.id_number else "-"

    @admin.display(description="出生医学证明编号")
    def masked_birth_cert(self, obj):
        return idnumbers.mask(obj.birth_cert_number) if obj.birth_cert_number else "-"

    @admin.display(description="联系电话")
    def masked_phone_number(self, obj):
        return idnumbers.mask_phone(obj.phone) if obj.phone else "-"

    # import-export: importing is changing (a read-only user has no import page), and
    # resources receive the user so exports and imports are scoped too.
    def has_import_permission(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)

    def get_export_data(self, file_format, request, queryset, **kwargs):
        # An export file carries whole ID numbers (it is re-imported by them): record who
        # took which list, like the reveal button and the page exports do.
        from .audit import audit_record
        from .models import AuditEntry

        data = super().get_export_data(file_format, request, queryset, **kwargs)
        audit_record(user=request.user, action=AuditEntry.Action.EXPORT, request=request,
                     detail=f"后台导出{self.model._meta.verbose_name}"
                            f"（{file_format.get_title()}）")
        return data

    def get_export_resource_kwargs(self, request, **kwargs):
        return {**super().get_export_resource_kwargs(request, **kwargs), "user": request.user}

    def get_import_resource_kwargs(self, request, **kwargs):
        return {**super().get_import_resource_kwargs(request, **kwargs), "user": request.user}


def _swap(fields, hidden):
    """Field names of a fieldset with each sensitive field replaced by its masked display."""
    out = []
    for name in fields:
        if isinstance(name, (list, tuple)):
            out.append(tuple(SENSITIVE_FIELDS.get(n, n) if n in hidden else n for n in name))
        else:
            out.append(SENSITIVE_FIELDS.get(name, name) if name in hidden else name)
    return out
