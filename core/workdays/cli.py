"""`cms calendar`: single days, and a year's arrangement in and out."""
from __future__ import annotations

from datetime import date, timedelta

import click
from flask.cli import AppGroup

from core import audit
from core.accounts import SYSTEM
from core.cli import fail
from core.db import db
from core.workdays import (ArrangementError, Calendar, arrangement_summary, coverage_source, format_arrangement,
                           parse_arrangement, remove_override, set_override, set_year, year_arrangement, YEARS)


calendar = AppGroup("calendar", help="工作日日历：法定节假日与调休。")


@calendar.command("set")
@click.argument("day", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.argument("kind", type=click.Choice(["workday", "holiday"]))
@click.option("--note", default="", help="说明，例如“春节调休”")
def calendar_set(day, kind: str, note: str) -> None:
    """把某一天设为工作日（workday）或休息日（holiday）。"""
    set_override(day.date(), kind == "workday", note)
    audit.record("calendar.set", actor=SYSTEM, summary=f"{day.date()} 设为{'工作日' if kind == 'workday' else '休息日'} {note}")
    db.session.commit()
    click.echo(f"{day.date():%Y-%m-%d} 已设为{'工作日' if kind == 'workday' else '休息日'}。")


@calendar.command("remove")
@click.argument("day", type=click.DateTime(formats=["%Y-%m-%d"]))
def calendar_remove(day) -> None:
    """删除某一天的人工设置，恢复为日历包的数据。"""
    removed = remove_override(day.date())
    if removed:
        audit.record("calendar.remove", actor=SYSTEM, summary=f"删除 {day.date()} 的设置")
    db.session.commit()
    click.echo("已删除。" if removed else "这一天没有人工设置。")


@calendar.command("show")
@click.argument("year", type=int)
def calendar_show(year: int) -> None:
    """列出某年的休息日调整与人工设置，并说明该年数据是否完整。"""
    cal = Calendar()
    source = coverage_source(year)
    if source is None:
        click.secho(f"{year} 年的法定节假日尚未维护：目前只按周末计算。"
                    f"国务院办公厅公布当年安排后，请用 cms calendar set-year {year} 文件 录入。", fg="yellow")
    else:
        click.echo(f"{year} 年的节假日安排来自{source}。")
    day, end = date(year, 1, 1), date(year, 12, 31)
    while day <= end:
        weekend = day.weekday() >= 5
        if cal.is_workday(day) == weekend:  # a weekday off or a weekend worked
            label = "调休上班" if weekend else "放假"
            mark = "（人工设置）" if day in cal.overrides else ""
            click.echo(f"{day:%Y-%m-%d} {'一二三四五六日'[day.weekday()]}  {label}{mark}")
        day += timedelta(days=1)


@calendar.command("set-year")
@click.argument("year", type=click.IntRange(YEARS.start, YEARS.stop - 1))
@click.argument("path", type=click.File("r", encoding="utf-8-sig"))
@click.option("--source", default="", help="依据，例如“国务院办公厅关于2027年部分节假日安排的通知”")
def calendar_set_year(year: int, path, source: str) -> None:
    """录入某年的全部放假和调休上班日期（国务院办公厅通知），替换该年原有的人工设置。

    文件每行一天：“2027-01-01 休 元旦”或“2027-02-07 班 春节调休”；# 之后为注释。
    有任何一行错误时不写入任何内容。"""
    if len(source) > 200:
        fail("依据不能超过 200 个字。")
    try:
        days = parse_arrangement(year, path.read())
    except ArrangementError as exc:
        fail(f"{path.name} 有错误，未写入任何内容：\n" + exc.message)
    set_year(year, days, actor=SYSTEM, source=source)
    db.session.commit()
    click.echo(f"已录入 {year} 年节假日安排：{arrangement_summary(days)}。")


@calendar.command("export-year")
@click.argument("year", type=click.IntRange(YEARS.start, YEARS.stop - 1))
def calendar_export_year(year: int) -> None:
    """按 set-year 的文件格式输出某年的放假和调休上班日期（用于复制到另一套系统）。"""
    if coverage_source(year) is None:
        fail(f"{year} 年的节假日安排尚未录入，没有可导出的内容。")
    click.echo(format_arrangement(year, year_arrangement(year)), nl=False)


commands = [calendar]
