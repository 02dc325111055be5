"""Region scope for the admin: every ModelAdmin of the project mixes this in, so that the admin
shows a clerk only their region, like every page does, and a city leader only reads."""
from __future__ import annotations

from . import scope
from .admin_import import UploadImportMixin
from .models import Region


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
        return self._has_scope(request) and scope.can_write(request.user)

    def has_change_permission(self, request, obj=None):
        return self._has_scope(request) and scope.can_write(request.user)

    def has_delete_permission(self, request, obj=None):
        # Registry rows are ended (stopped, deceased), never deleted, except by a superuser.
        return request.user.is_superuser

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if not request.user.is_superuser:
            if db_field.related_model is Region:
                kwargs["queryset"] = scope.filter_regions(request.user, Region.objects.all())
            elif db_field.name in self._scope_relations():
                # The relation that places a row in a region (an enrollment's person, a
                # visit's task) may only point at rows the user can see: a raw id field
                # otherwise accepts any id typed in, e.g. another village's person.
                related = self.admin_site._registry.get(db_field.related_model)
                if related is not None:
                    kwargs["queryset"] = related.get_queryset(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _scope_relations(self) -> set[str]:
        return {field.split("__")[0] for field in self.scope_fields if "__" in field}

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
