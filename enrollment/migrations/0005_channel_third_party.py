# The third-party payers (payments.Payer) pay through their own channel.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('enrollment', '0004_enrollment_tier'),
    ]

    operations = [
        migrations.AlterField(
            model_name='enrollment',
            name='channel',
            field=models.CharField(blank=True, choices=[('individual', '个人缴费'), ('village_batch', '村（社区）代收'), ('school_batch', '学校代收'), ('relative_account', '亲属职工医保个人账户'), ('wallet', '医保钱包'), ('tax_record', '税务征缴记录'), ('employer', '单位缴纳'), ('third_party', '第三方代缴')], max_length=20, verbose_name='缴费渠道'),
        ),
        migrations.AlterField(
            model_name='historicalenrollment',
            name='channel',
            field=models.CharField(blank=True, choices=[('individual', '个人缴费'), ('village_batch', '村（社区）代收'), ('school_batch', '学校代收'), ('relative_account', '亲属职工医保个人账户'), ('wallet', '医保钱包'), ('tax_record', '税务征缴记录'), ('employer', '单位缴纳'), ('third_party', '第三方代缴')], max_length=20, verbose_name='缴费渠道'),
        ),
    ]
