"""Documents of supervision and assessment: a round's rectification report (整改情况报告)
and the assessment notice (考核结果通报) as DOCX in the official layout, and the
assessment's scores as xlsx. Each export is recorded in the audit trail."""

from __future__ import annotations

import io
from datetime import date

from django.db import transaction

from guanai import docx_official as official
from guanai.audit.models import AuditEvent
from guanai.audit.services import audited, record
from guanai.spreadsheets import text_cell
from guanai.textproc.numbers import format_date, trim_decimal

from . import oversight_supervision as supervision
from .models import AssessmentScheme, RectificationItem, SupervisionRound
from .offices import office_name

DOCX_CONTENT_TYPE = official.DOCX_CONTENT_TYPE


def _signature(document, area, day: date) -> None:
    document.add_paragraph()
    official.body_paragraph(document, office_name(area), right=True)
    official.body_paragraph(document, format_date(day), right=True)


def _names(objects) -> str:
    return "、".join(str(o) for o in objects)


# --- the rectification report of a round -------------------------------------------------------

def _item_state(item: RectificationItem, day: date) -> str:
    label = item.display_label(day)
    if item.done_late:
        label += "（逾期完成）"
    return label


def rectification_report(supervision_round: SupervisionRound, items: list[RectificationItem], day: date) -> bytes:
    r = supervision_round
    document, _width = official.new_document(title=f"{r.title}整改情况报告", author=office_name(r.area),
                                             subject="督导整改")
    official.headline(document, f"关于{r.title}发现问题整改情况的报告")
    team = _names(r.team_units.all())
    places = _names(list(r.visited_areas.all()) + list(r.visited_units.all()))
    methods = "、".join(r.method_labels)
    opening = (f"{format_date(r.started_on)}至{format_date(r.ended_on)}，{office_name(r.area)}"
               f"{'会同' + team if team else ''}组成督导组，{'采取' + methods + '等方式，' if methods else ''}"
               f"{'对' + places if places else '在' + r.area.name}开展了督导检查。现将督导发现问题的整改情况报告如下。")
    official.body_paragraph(document, opening)
    official.heading(document, "一、督导发现的主要问题")
    official.body_paragraph(document, r.findings or f"督导共发现需整改问题{len(items)}项，详见整改清单。")
    official.heading(document, "二、整改落实情况")
    counts = {key: 0 for key in ("pending", "in_progress", "done", "overdue")}
    for item in items:
        counts[item.display_status(day)] += 1
    on_time = sum(1 for item in items if item.status == RectificationItem.DONE and not item.done_late)
    verified = sum(1 for item in items if item.verified_on)
    official.body_paragraph(
        document,
        f"本次督导列入整改清单的问题共{len(items)}项。截至{format_date(day)}，已整改{counts['done']}项"
        f"（其中按期整改{on_time}项，已核验销号{verified}项），整改中{counts['in_progress']}项，"
        f"未整改{counts['pending']}项，逾期未整改{counts['overdue']}项。")
    official.table(document, ["序号", "存在问题", "整改措施", "责任单位（地区）", "整改期限", "整改状态", "完成日期"],
                   [[item.number, item.problem, item.measure, item.responsible_name, f"{item.deadline:%Y-%m-%d}",
                     _item_state(item, day), f"{item.completed_on:%Y-%m-%d}" if item.completed_on else ""]
                    for item in items],
                   widths_mm=[10, 40, 36, 22, 20, 14, 14], size=10.5)
    official.heading(document, "三、下一步工作")
    late = [item for item in items if item.display_status(day) == RectificationItem.OVERDUE]
    if late:
        names = "、".join(dict.fromkeys(item.responsible_name for item in late))
        official.body_paragraph(document, f"对逾期未整改的{len(late)}项问题，请{names}于接到本报告后"
                                          f"抓紧整改，并将整改情况和佐证材料报领导小组办公室。领导小组办公室将跟踪督办，"
                                          f"整改落实情况纳入年度考核。")
    else:
        official.body_paragraph(document, "列入清单的问题均在整改期限内或已整改到位。领导小组办公室将继续跟踪督办，"
                                          "对已整改事项适时开展“回头看”，防止问题反弹。")
    _signature(document, r.area, day)
    return official.to_bytes(document)


@audited
@transaction.atomic
def export_rectification_report(*, acting_user, supervision_round: SupervisionRound, day: date) -> bytes:
    items = list(supervision.items_for(acting_user).filter(round=supervision_round)
                 .select_related("responsible_unit", "responsible_area").order_by("number"))
    content = rectification_report(supervision_round, items, day)
    record(AuditEvent.EXPORT, user=acting_user, obj=supervision_round, detail=f"导出整改情况报告（{len(items)}项）")
    return content


# --- the assessment -------------------------------------------------------------------------------

def _score_text(score) -> str:
    return "" if score is None or score.score is None else trim_decimal(score.score)


def assessment_workbook(scheme: AssessmentScheme, indicators, rows) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = "考核得分"
    subject_label = dict(AssessmentScheme.SUBJECT_CHOICES)[scheme.subject]
    header = ["排名", str(subject_label)] + [f"{i.name}（{trim_decimal(i.points)}分）" for i in indicators] + \
             [f"合计（满分{scheme.total_points}分）", "说明"]
    sheet.append([text_cell(sheet, scheme.title)])
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet.append([text_cell(sheet, text) for text in header])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
    for row in rows:
        notes = [f"{i.name}：{s.note}" for i, s in zip(indicators, row.scores) if s is not None and s.note]
        if row.missing:
            notes.insert(0, f"{row.missing}项未评分")
        sheet.append([row.rank, text_cell(sheet, row.subject.name)]
                     + [float(s.score) if s is not None and s.score is not None else None for s in row.scores]
                     + [float(row.total), text_cell(sheet, "；".join(notes))])
    widths = [6, 24] + [12] * len(indicators) + [14, 40]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "C3"
    detail = book.create_sheet("考核指标")
    detail.append(["序号", "考核指标", "目标要求和评分标准", "分值", "评分规则", "目标值", "数据来源"])
    for i in indicators:
        detail.append([i.order, text_cell(detail, i.name), text_cell(detail, i.requirement), float(i.points), i.get_rule_display(),
                       None if i.target is None else float(i.target), i.metric or "人工录入"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def assessment_notice(scheme: AssessmentScheme, indicators, rows, day: date) -> bytes:
    subject_label = dict(AssessmentScheme.SUBJECT_CHOICES)[scheme.subject]
    title = f"关于{scheme.year}年度{subject_label}关爱服务工作考核结果的通报"
    document, _width = official.new_document(title=title, author=office_name(scheme.area), subject="考核结果通报")
    official.headline(document, title)
    official.body_paragraph(document, f"各{subject_label}：")
    best = [row.subject.name for row in rows if row.rank == 1]
    official.body_paragraph(
        document,
        f"根据《{scheme.title}》，{office_name(scheme.area)}对{len(rows)}个{subject_label}{scheme.year}年度"
        f"关爱服务工作进行了考核。考核采取数据核验与查阅资料相结合的方式，满分{scheme.total_points}分。"
        + (f"{'、'.join(best)}得分最高。" if best and rows and rows[0].total > 0 else "") + "现将考核结果通报如下。")
    official.heading(document, "一、考核得分和排名")
    official.table(document, ["排名", str(subject_label), "得分"],
                   [[row.rank, row.subject.name, trim_decimal(row.total) + ("（未评完）" if row.missing else "")]
                    for row in rows], widths_mm=[16, 100, 40], size=12)
    official.heading(document, "二、各项指标得分情况")
    summary = []
    for position, indicator in enumerate(indicators):
        given = [row.scores[position].score for row in rows
                 if row.scores[position] is not None and row.scores[position].score is not None]
        full = sum(1 for value in given if value >= indicator.points)
        average = trim_decimal(sum(given) / len(given)) if given else "—"
        summary.append([indicator.name, trim_decimal(indicator.points), average, full])
    official.table(document, ["考核指标", "分值", "平均得分", "得满分数"], summary, widths_mm=[70, 25, 30, 30], size=12)
    official.heading(document, "三、有关要求")
    official.body_paragraph(document, f"各{subject_label}要对照考核中发现的问题，认真分析原因，明确整改措施，"
                                      f"切实把关爱服务各项工作落到实处。")
    _signature(document, scheme.area, day)
    return official.to_bytes(document)


@audited
@transaction.atomic
def export_assessment(*, acting_user, scheme: AssessmentScheme, fmt: str, day: date) -> bytes:
    from . import oversight_assessment as assessment

    indicators, rows = assessment.ranking(scheme)
    if fmt == "xlsx":
        content = assessment_workbook(scheme, indicators, rows)
    elif fmt == "docx":
        content = assessment_notice(scheme, indicators, rows, day)
    else:
        raise ValueError(fmt)
    record(AuditEvent.EXPORT, user=acting_user, obj=scheme, detail=f"导出考核结果（{fmt}）")
    return content
