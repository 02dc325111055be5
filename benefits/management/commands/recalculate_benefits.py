"""`python manage.py recalculate_benefits --year Y [--region CODE] [--full] [--resume JOB]`

Runs the January recalculation: inline on the embedded defaults, through the Celery worker when
REDIS_URL is set; waits for it and prints one line ending in `persons=N changed=M`. Only persons
whose inputs changed since the last run are recomputed unless `--full` (after a policy change).
"""
from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from benefits.models import JobStatus, RecalcJob
from benefits.recalc import services
from enrollment.models import Region


class Command(BaseCommand):
    help = "重算某年度全部参保人员的待遇状态（连续参保、断缴、零报销激励、大病保险限额、等待期）"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="待遇年度，如 2026")
        parser.add_argument("--region", help="区划代码（统筹区或其上级）；不填为全部统筹区")
        parser.add_argument("--full", action="store_true",
                            help="全量重算（政策参数调整后使用）；默认只重算信息有变更的人员")
        parser.add_argument("--resume", type=int, metavar="JOB", help="继续某个未完成的任务")
        parser.add_argument("--timeout", type=float, default=3600, help="最长等待秒数")

    def handle(self, *args, year=None, region=None, resume=None, timeout=3600, full=False,
               **options):
        if resume:
            job = RecalcJob.objects.filter(pk=resume).first()
            if job is None:
                raise CommandError(f"没有编号为{resume}的重算任务")
            job = services.job_resume(actor=None, job=job, enqueue=False)
        else:
            if year is None:
                raise CommandError("请用 --year 指定待遇年度，如 --year 2026")
            area = None
            if region:
                area = Region.objects.filter(code=region).first()
                if area is None:
                    raise CommandError(f"区划代码“{region}”不存在")
            job = services.job_start(actor=None, year=year, region=area,
                                     trigger=RecalcJob.Trigger.COMMAND, enqueue=False,
                                     full=full)
        services.job_enqueue(job_id=job.pk)
        if resume:
            services.job_enqueue(job_id=job.pk)
        job = services.job_wait(job, timeout=timeout)
        scope = job.region.name if job.region_id else "全部统筹区"
        line = (f"{job.year}年待遇重算（{scope}）任务#{job.pk} {job.get_status_display()}："
                f"chunks={job.chunks_done}/{job.chunks_total} "
                f"persons={job.persons} changed={job.changed}")
        if job.status != JobStatus.DONE:
            self.stderr.write(job.error or "任务未在等待时间内完成")
            self.stdout.write(line)
            raise CommandError(f"重算未完成，可运行 --resume {job.pk} 继续")
        self.stdout.write(line)
