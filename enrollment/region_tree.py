"""The division tree as rows: one `Region` per statistical division or grid, keyed by its code
(the code logic itself lives in enrollment/regions.py)."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from . import regions


class Region(models.Model):
    """A statistical division (or a grid under a village). The code is the primary key, so
    every foreign key column holds the code itself and "under X" is a prefix match on it."""

    LEVEL_CHOICES = [(k, v) for k, v in regions.LEVEL_LABELS.items()]

    code = models.CharField("区划代码", max_length=15, primary_key=True)
    name = models.CharField("名称", max_length=100)
    level = models.CharField("层级", max_length=10, choices=LEVEL_CHOICES, db_index=True)
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField("路径前缀", max_length=15, db_index=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self):
        return f"{self.name}"

    def save(self, *args, **kwargs):
        self.level = regions.level_of(self.code)
        self.path = regions.prefix_of(self.code)
        super().save(*args, **kwargs)

    def clean(self):
        try:
            regions.level_of(self.code)
        except ValueError as exc:
            raise ValidationError({"code": str(exc)}) from None

    @property
    def level_label(self):
        return regions.LEVEL_LABELS[self.level]

    def ancestors(self):
        """From the province down to this region's parent (one query)."""
        codes = []
        code = regions.parent_code(self.code)
        while code:
            codes.append(code)
            code = regions.parent_code(code)
        return list(Region.objects.filter(code__in=codes).order_by("code"))

    def full_name(self):
        return "".join(r.name for r in self.ancestors()[1:]) + self.name
