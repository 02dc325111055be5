"""Three separated administrator roles, the result and account name of an audit row, and the
append-only guard: a trigger refuses UPDATE and DELETE of audit rows (PostgreSQL and SQLite).

The SQL is frozen here; enrollment/audit.py holds the same statements for the archiver, the one
path that may delete (after writing the rows to a file)."""
from django.db import migrations, models

PG_GUARD = """
CREATE OR REPLACE FUNCTION canbao_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF current_setting('canbao.audit_archive', true) = 'on' THEN
            RETURN OLD;
        END IF;
    ELSIF (NEW.id, NEW.at, NEW.action, NEW.object_repr, NEW.detail, NEW.ip, NEW.success,
           NEW.username)
          IS NOT DISTINCT FROM
          (OLD.id, OLD.at, OLD.action, OLD.object_repr, OLD.detail, OLD.ip, OLD.success,
           OLD.username)
          AND (NEW.user_id IS NULL OR NEW.user_id = OLD.user_id)
          AND (NEW.person_id IS NULL OR NEW.person_id = OLD.person_id) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '操作日志只能追加，不能修改或删除（%）', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS canbao_audit_append_only ON enrollment_auditentry;
CREATE TRIGGER canbao_audit_append_only BEFORE UPDATE OR DELETE ON enrollment_auditentry
    FOR EACH ROW EXECUTE FUNCTION canbao_audit_append_only();
"""
PG_UNGUARD = """
DROP TRIGGER IF EXISTS canbao_audit_append_only ON enrollment_auditentry;
DROP FUNCTION IF EXISTS canbao_audit_append_only();
"""
SQLITE_GUARD = [
    """CREATE TRIGGER IF NOT EXISTS canbao_audit_no_delete BEFORE DELETE ON enrollment_auditentry
       BEGIN SELECT RAISE(ABORT, '操作日志只能追加，不能修改或删除'); END""",
    """CREATE TRIGGER IF NOT EXISTS canbao_audit_no_update BEFORE UPDATE ON enrollment_auditentry
       WHEN NOT (NEW.id IS OLD.id AND NEW.at IS OLD.at AND NEW.action IS OLD.action
                 AND NEW.object_repr IS OLD.object_repr AND NEW.detail IS OLD.detail
                 AND NEW.ip IS OLD.ip AND NEW.success IS OLD.success
                 AND NEW.username IS OLD.username
                 AND (NEW.user_id IS NULL OR NEW.user_id IS OLD.user_id)
                 AND (NEW.person_id IS NULL OR NEW.person_id IS OLD.person_id))
       BEGIN SELECT RAISE(ABORT, '操作日志只能追加，不能修改或删除'); END""",
]
SQLITE_UNGUARD = ["DROP TRIGGER IF EXISTS canbao_audit_no_delete",
                  "DROP TRIGGER IF EXISTS canbao_audit_no_update"]


def guard(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_GUARD, params=None)
    elif vendor == "sqlite":
        for sql in SQLITE_GUARD:
            schema_editor.execute(sql)


def unguard(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_UNGUARD, params=None)
    elif vendor == "sqlite":
        for sql in SQLITE_UNGUARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):

    dependencies = [
        ('enrollment', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='auditentry',
            name='success',
            field=models.BooleanField(default=True, verbose_name='结果'),
        ),
        migrations.AddField(
            model_name='auditentry',
            name='username',
            field=models.CharField(blank=True, max_length=150, verbose_name='账号'),
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='action',
            field=models.CharField(choices=[('view_id', '查看完整证件号码'), ('export', '导出'), ('create', '新增'), ('update', '修改'), ('enroll', '参保登记'), ('stop', '停保'), ('import', '导入'), ('other', '其他'), ('login', '登录'), ('logout', '退出登录'), ('login_failed', '登录失败'), ('lockout', '账号锁定'), ('password_change', '修改密码'), ('permission_change', '权限变更'), ('otp', '双因素认证')], max_length=20, verbose_name='操作'),
        ),
        migrations.AlterField(
            model_name='user',
            name='role',
            field=models.CharField(blank=True, choices=[('village_clerk', '村级经办'), ('township_officer', '乡镇经办'), ('county_admin', '县级管理员'), ('city_leader', '市级领导'), ('grid_worker', '网格员'), ('system_admin', '系统管理员'), ('security_admin', '安全管理员'), ('audit_admin', '审计管理员')], max_length=20, verbose_name='角色'),
        ),
        migrations.RunPython(guard, unguard),
    ]
