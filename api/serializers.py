"""Query parameters (validated, with a Chinese message under the parameter's name) and the
shapes of the answers (for the OpenAPI schema; the views build plain dicts)."""
from __future__ import annotations

from rest_framework import serializers

from core.calendar import YEAR_MAX, YEAR_MIN, coverage_year_for
from enrollment import idnumbers

YEAR_MESSAGE = f"年度（year）应为{YEAR_MIN}至{YEAR_MAX}之间的四位数字，如 {YEAR_MIN + 26}。"
PAGE_SIZE_DEFAULT = 100
PAGE_SIZE_MAX = 500


class YearQuery(serializers.Serializer):
    year = serializers.IntegerField(
        required=False, min_value=YEAR_MIN, max_value=YEAR_MAX,
        help_text="待遇年度；不填为当前参保年度（9月起为下一年度）",
        error_messages={"invalid": YEAR_MESSAGE, "min_value": YEAR_MESSAGE,
                        "max_value": YEAR_MESSAGE, "max_string_length": YEAR_MESSAGE})

    def validate(self, attrs):
        attrs.setdefault("year", coverage_year_for())
        return attrs


class StatusQuery(YearQuery):
    id_number = serializers.CharField(
        help_text="18位居民身份证号码或港澳台居民居住证号码",
        error_messages={"required": "请填写证件号码（id_number）。",
                        "blank": "请填写证件号码（id_number）。"})

    def validate_id_number(self, value):
        try:
            return idnumbers.parse(value).number
        except idnumbers.IdNumberError as exc:
            raise serializers.ValidationError(f"证件号码（id_number）有误：{exc.message}") from None


class RegionQuery(YearQuery):
    region = serializers.RegexField(
        r"^\d{12}(\d{3})?$", required=False,
        help_text="12位统计区划代码（网格为15位）；不填为令牌的区划",
        error_messages={"invalid": "区划代码（region）应为12位数字（网格为15位）。",
                        "blank": "区划代码（region）应为12位数字（网格为15位）。"})


class UnenrolledQuery(RegionQuery):
    page_size = serializers.IntegerField(
        required=False, min_value=1, max_value=PAGE_SIZE_MAX, default=PAGE_SIZE_DEFAULT,
        help_text=f"每页条数，1至{PAGE_SIZE_MAX}，默认{PAGE_SIZE_DEFAULT}",
        error_messages={"invalid": f"每页条数（page_size）应为1至{PAGE_SIZE_MAX}的整数。",
                        "min_value": f"每页条数（page_size）应为1至{PAGE_SIZE_MAX}的整数。",
                        "max_value": f"每页条数（page_size）应为1至{PAGE_SIZE_MAX}的整数。"})
    after = serializers.CharField(required=False, help_text="下一页游标（上一页返回的 next_cursor）")
    before = serializers.CharField(required=False,
                                   help_text="上一页游标（本页返回的 previous_cursor）")


# --- Answers (documentation) ------------------------------------------------------------------

class ErrorOut(serializers.Serializer):
    detail = serializers.CharField(help_text="中文说明；参数错误时键为参数名，值为说明列表")

class RegionOut(serializers.Serializer):
    code = serializers.CharField(help_text="区划代码")
    name = serializers.CharField(help_text="区划名称")


class EnrollmentOut(serializers.Serializer):
    scheme = serializers.CharField(help_text="险种：resident 城乡居民医保，employee 职工医保")
    scheme_name = serializers.CharField()
    status = serializers.CharField(help_text="awaiting 待缴费，active 参保缴费，stopped 已停保，"
                                             "transferred 已转移")
    status_name = serializers.CharField()
    pooling_region = RegionOut()
    elsewhere = serializers.BooleanField(help_text="在本系统以外的统筹区参保")
    cover_start = serializers.DateField(help_text="本年度参保起始日")
    cover_end = serializers.DateField(help_text="本年度参保终止日")
    benefit_start = serializers.DateField(allow_null=True, help_text="待遇享受开始日（等待期后）")
    benefit_end = serializers.DateField(allow_null=True)


class StatusOut(serializers.Serializer):
    id_number = serializers.CharField(help_text="证件号码；令牌无“完整证件号码”权限时为掩码")
    name = serializers.CharField(required=False, help_text="姓名；仅当令牌可见“姓名”时返回")
    phone = serializers.CharField(required=False, help_text="联系电话；仅当令牌可见“联系电话”时返回")
    year = serializers.IntegerField()
    enrolled = serializers.BooleanField(help_text="该年度有有效的参保登记（待缴费或已缴费）")
    scheme = serializers.CharField(allow_null=True)
    scheme_name = serializers.CharField(allow_null=True)
    status = serializers.CharField(help_text="主要登记的状态；无登记时为 none")
    status_name = serializers.CharField()
    pooling_region = RegionOut(allow_null=True)
    cover_start = serializers.DateField(allow_null=True)
    cover_end = serializers.DateField(allow_null=True)
    benefit_start = serializers.DateField(allow_null=True)
    benefit_end = serializers.DateField(allow_null=True)
    enrollments = EnrollmentOut(many=True, help_text="该年度的全部登记（含已停保）")


class CoverageRowOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    persons = serializers.IntegerField(help_text="在册人口（健在、常住）")
    enrolled = serializers.IntegerField(help_text="已参保人数")
    rate = serializers.FloatField(allow_null=True, help_text="参保率（%，两位小数）")
    hardship = serializers.IntegerField(help_text="困难群体人数")
    hardship_enrolled = serializers.IntegerField(help_text="困难群体已参保人数")


class CoverageOut(serializers.Serializer):
    region = RegionOut()
    year = serializers.IntegerField()
    refreshed_at = serializers.DateTimeField(allow_null=True, help_text="汇总数据刷新时间")
    total = CoverageRowOut()
    children = CoverageRowOut(many=True, help_text="下一级区划，与参保看板的数字相同")


class LedgerRowOut(serializers.Serializer):
    id_number = serializers.CharField(help_text="证件号码；无“完整证件号码”权限时为掩码")
    name = serializers.CharField(required=False)
    phone = serializers.CharField(required=False)
    year = serializers.IntegerField()
    region = RegionOut()
    grid = serializers.CharField(allow_null=True, help_text="网格代码")
    side = serializers.CharField(help_text="residence 常住地台账，hukou 户籍地台账")
    separated = serializers.BooleanField(help_text="人户分离")
    reason = serializers.CharField(help_text="未参保原因代码，未核实为空")
    reason_name = serializers.CharField()


class UnenrolledOut(serializers.Serializer):
    region = RegionOut()
    year = serializers.IntegerField()
    page = serializers.IntegerField()
    next_cursor = serializers.CharField(allow_null=True)
    previous_cursor = serializers.CharField(allow_null=True)
    results = LedgerRowOut(many=True)
