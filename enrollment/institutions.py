"""一校一档 and 一企一档: the schools that collect their students' contributions and the employers
whose staff are in the employee scheme, as the departments' lists name them."""
from django.db import models
from simple_history.models import HistoricalRecords

from core.fields import EncryptedTextField

from .region_tree import Region


class School(models.Model):
    """一校一档: schools enroll their students once a year (R-STU-ONCE)."""

    class Kind(models.TextChoices):
        PRIMARY = "primary", "中小学"
        COLLEGE = "college", "高等院校"
        VOCATIONAL = "vocational", "职业院校"
        KINDERGARTEN = "kindergarten", "幼儿园"

    code = models.CharField("学校代码", max_length=20, unique=True)
    name = models.CharField("学校名称", max_length=100)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    region = models.ForeignKey(Region, verbose_name="所在地", on_delete=models.PROTECT)
    contact = models.CharField("联系人", max_length=50, blank=True)
    phone = EncryptedTextField("联系电话", max_length=20, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "学校"
        ordering = ["code"]

    def __str__(self):
        return self.name


class Enterprise(models.Model):
    """一企一档: employers whose staff are in the employee scheme."""

    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True)
    name = models.CharField("单位名称", max_length=100)
    region = models.ForeignKey(Region, verbose_name="所在地", on_delete=models.PROTECT)
    contact = models.CharField("联系人", max_length=50, blank=True)
    phone = EncryptedTextField("联系电话", max_length=20, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "用人单位"
        ordering = ["credit_code"]

    def __str__(self):
        return self.name
