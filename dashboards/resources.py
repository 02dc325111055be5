"""Import of official resident populations (常住人口) per region and year, keyed by region
code and year. Rows outside the importer's region are refused."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from import_export import fields, resources
from import_export.widgets import ForeignKeyWidget

from enrollment import scope
from enrollment.models import Region
from enrollment.resources import ScopedResourceMixin

from .models import OfficialPopulation


class OfficialPopulationResource(ScopedResourceMixin, resources.ModelResource):
    scope_fields = ("region_id",)
    region = fields.Field("region", "区划代码", widget=ForeignKeyWidget(Region, "code"))
    year = fields.Field("year", "年度")
    population = fields.Field("population", "常住人口")
    source = fields.Field("source", "数据来源")

    class Meta:
        model = OfficialPopulation
        import_id_fields = ["region", "year"]
        fields = ["region", "year", "population", "source"]
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True

    def before_save_instance(self, instance, row, **kwargs):
        if self.user is not None and not (scope.is_admin(self.user) and scope.region_in_scope(
                self.user, instance.region_id)):
            raise ValidationError({"region": "该区划不在您的管辖范围内，或您无权导入常住人口。"})
