# Data exchange: the feed imports' job rows; enrollments elsewhere in a region outside this
# deployment (its code and name kept); the official population taken over from dashboards,
# whose migration renamed the table (state only here, the rows stay); the 公安 list's
# 失踪 and 户籍注销 life statuses.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('enrollment', '0013_compare_monthly_schedule'),
        ('dashboards', '0007_official_population_to_enrollment'),
    ]

    operations = [
        migrations.CreateModel(
            name='FeedImport',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(db_index=True, max_length=30, verbose_name='数据类型')),
                ('title', models.CharField(max_length=100, verbose_name='名单')),
                ('file_name', models.CharField(blank=True, max_length=200, verbose_name='文件名')),
                ('staged_token', models.CharField(blank=True, editable=False, max_length=40, verbose_name='暂存文件')),
                ('valid_only', models.BooleanField(default=False, verbose_name='只导入有效行')),
                ('source', models.CharField(blank=True, max_length=100, verbose_name='数据来源')),
                ('status', models.CharField(choices=[('staged', '待确认'), ('pending', '排队中'), ('running', '导入中'), ('done', '已完成'), ('refused', '未导入（有错误行）'), ('failed', '失败'), ('abandoned', '已放弃')], db_index=True, default='staged', max_length=10, verbose_name='状态')),
                ('rows', models.PositiveIntegerField(default=0, verbose_name='行数')),
                ('created', models.PositiveIntegerField(default=0, verbose_name='新增')),
                ('updated', models.PositiveIntegerField(default=0, verbose_name='更新')),
                ('unchanged', models.PositiveIntegerField(default=0, verbose_name='未变')),
                ('rejected', models.PositiveIntegerField(default=0, verbose_name='错误行')),
                ('progress', models.PositiveSmallIntegerField(default=0, verbose_name='进度（%）')),
                ('changes', models.TextField(blank=True, verbose_name='变更内容')),
                ('problems', models.JSONField(blank=True, default=list, verbose_name='错误行')),
                ('error', models.TextField(blank=True, verbose_name='失败原因')),
                ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='执行次数')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='上传时间')),
                ('confirmed_at', models.DateTimeField(blank=True, null=True, verbose_name='确认时间')),
                ('started_at', models.DateTimeField(blank=True, null=True, verbose_name='开始时间')),
                ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='完成时间')),
            ],
            options={
                'verbose_name': '数据交换导入',
                'verbose_name_plural': '数据交换导入',
                'ordering': ['-pk'],
            },
        ),
        migrations.AddField(
            model_name='enrollment',
            name='elsewhere_code',
            field=models.CharField(blank=True, help_text='参保地不在本系统区划内时（如省外）', max_length=12, verbose_name='外地参保地区划代码'),
        ),
        migrations.AddField(
            model_name='enrollment',
            name='elsewhere_name',
            field=models.CharField(blank=True, max_length=100, verbose_name='外地参保地名称'),
        ),
        migrations.AddField(
            model_name='historicalenrollment',
            name='elsewhere_code',
            field=models.CharField(blank=True, help_text='参保地不在本系统区划内时（如省外）', max_length=12, verbose_name='外地参保地区划代码'),
        ),
        migrations.AddField(
            model_name='historicalenrollment',
            name='elsewhere_name',
            field=models.CharField(blank=True, max_length=100, verbose_name='外地参保地名称'),
        ),
        migrations.AlterField(
            model_name='enrollment',
            name='pooling_region',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='enrollment.region', verbose_name='参保统筹区'),
        ),
        migrations.AddConstraint(
            model_name='enrollment',
            constraint=models.CheckConstraint(condition=models.Q(('pooling_region__isnull', False), models.Q(('elsewhere', True), models.Q(('elsewhere_code', ''), _negated=True)), _connector='OR'), name='enrollment_pooling_region_known'),
        ),
        migrations.AddField(
            model_name='feedimport',
            name='region',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='enrollment.region', verbose_name='所属区划'),
        ),
        migrations.AddField(
            model_name='feedimport',
            name='user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='导入人'),
        ),
        migrations.AddIndex(
            model_name='feedimport',
            index=models.Index(fields=['region', 'id'], name='feedimport_region_id'),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='OfficialPopulation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('year', models.PositiveSmallIntegerField(verbose_name='年度')),
                        ('population', models.PositiveIntegerField(verbose_name='常住人口')),
                        ('source', models.CharField(blank=True, help_text='如：统计局年度人口抽样调查', max_length=100, verbose_name='数据来源')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                    ],
                    options={
                        'verbose_name': '常住人口（统计口径）',
                        'verbose_name_plural': '常住人口（统计口径）',
                        'ordering': ['year', 'region_id'],
                    },
                ),
                migrations.AddField(
                    model_name='officialpopulation',
                    name='region',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='enrollment.region', verbose_name='区划'),
                ),
                migrations.AddConstraint(
                    model_name='officialpopulation',
                    constraint=models.UniqueConstraint(fields=('region', 'year'), name='one_population_per_region_year'),
                ),
            ],
        ),
        migrations.AlterField(
            model_name='historicalperson',
            name='life_status',
            field=models.CharField(choices=[('alive', '正常'), ('deceased', '死亡'), ('emigrated', '出国（境）定居'), ('moved_out', '迁出'), ('missing', '失踪'), ('deregistered', '户籍注销'), ('merged', '已合并（重复档案）')], db_index=True, default='alive', max_length=20, verbose_name='人员状态'),
        ),
        migrations.AlterField(
            model_name='person',
            name='life_status',
            field=models.CharField(choices=[('alive', '正常'), ('deceased', '死亡'), ('emigrated', '出国（境）定居'), ('moved_out', '迁出'), ('missing', '失踪'), ('deregistered', '户籍注销'), ('merged', '已合并（重复档案）')], db_index=True, default='alive', max_length=20, verbose_name='人员状态'),
        ),
    ]
