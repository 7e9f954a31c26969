"""The words of the to-delete list, its notes and the obligations, in Chinese and English.

One table for every place that prints them (CSV and XLSX headers, SQL comments, the terminal,
the self-audit report), so the list a business works from and the report it files say the same
thing. Chinese first: the list goes to a Chinese business and, through it, to its regulator.
"""

from __future__ import annotations

REASON_LABELS: dict[str, dict[str, str]] = {
    "no_consent": {"zh": "无单独同意", "en": "no consent"},
    "withdrawn": {"zh": "已撤回同意", "en": "consent withdrawn"},
    "expired": {"zh": "超过保存期限", "en": "retention period exceeded"},
    "offsite": {"zh": "场所以外的副本（云端或其他主机）", "en": "off-site copy (cloud or another host)"},
}

STATE_LABELS: dict[str, dict[str, str]] = {
    "live": {"zh": "现存", "en": "live"},
    "recoverable": {"zh": "已删除但可恢复", "en": "deleted but recoverable"},
}

ACTION_LABELS: dict[str, dict[str, str]] = {
    "delete_row": {"zh": "按主键删除数据库记录（见 SQL）", "en": "delete the row by its primary key (see SQL)"},
    "delete_file": {"zh": "删除该文件", "en": "delete the file"},
    "delete_member": {
        "zh": "从压缩包中删除该文件（重建或删除压缩包，并删除其来源处的副本）",
        "en": "remove the member (rebuild or delete the archive, and the copy it came from)",
    },
    "finalise": {
        "zh": "使删除不可恢复（VACUUM 等，见说明）",
        "en": "make the earlier deletion final (VACUUM etc., see notes)",
    },
    "delete_record": {
        "zh": "在来源系统或导出文件中删除该记录",
        "en": "delete the record in the system or export it came from",
    },
}

# (zh, en) column headers of the CSV and XLSX, in the order item_row() fills them
COLUMNS: list[dict[str, str]] = [
    {"zh": "序号", "en": "No."},
    {"zh": "删除原因", "en": "Reason"},
    {"zh": "数据状态", "en": "State"},
    {"zh": "处理方式", "en": "Action"},
    {"zh": "文件", "en": "File"},
    {"zh": "压缩包内路径", "en": "Archive member"},
    {"zh": "数据表", "en": "Table"},
    {"zh": "主键列", "en": "Primary key"},
    {"zh": "主键值", "en": "Key value"},
    {"zh": "系统", "en": "System"},
    {"zh": "系统内编号", "en": "System id"},
    {"zh": "位置说明", "en": "Place detail"},
    {"zh": "人员编号", "en": "Persons"},
    {"zh": "人员标识（如访客编号）", "en": "Person keys (e.g. visitor id)"},
    {"zh": "采集时间", "en": "Captured at"},
    {"zh": "数据类型", "en": "Kinds"},
    {"zh": "SHA-256", "en": "SHA-256"},
    {"zh": "法律依据", "en": "Legal basis"},
    {"zh": "参考（统计截止日后施行的规定）", "en": "Later guidance (in force after the as-of date)"},
]

STRINGS: dict[str, dict[str, str]] = {
    "sheet_items": {"zh": "待删除清单", "en": "To-delete list"},
    "sheet_notes": {"zh": "说明", "en": "Notes"},
    "sql_title": {
        "zh": "待删除清单 SQL（venue-audit {version} 生成）：仅供审核，本工具从不执行",
        "en": "To-delete list SQL (made by venue-audit {version}): for review, never run by the tool",
    },
    "sql_case": {
        "zh": "案件 {case_no}，统计截止日期 {as_of}，清单 SHA-256 {digest}",
        "en": "case {case_no}, as of {as_of}, list SHA-256 {digest}",
    },
    "sql_review": {
        "zh": "请先备份并在副本上试运行，核对删除行数与清单一致后再对生产库执行；执行后用 verify-deletion 复核。",
        "en": "Back up and try it on a copy first; check the rows deleted match the list before "
        "running it on the live database; then check with verify-deletion.",
    },
    "note_recoverable": {
        "zh": "注意：普通 DELETE 之后，SQLite 中被删除的行仍留在空闲页、空闲块和 WAL 中，可被恢复，"
        "直到执行 VACUUM（或在删除前开启 secure_delete）；PostgreSQL 需 VACUUM FULL，MySQL 需 "
        "OPTIMIZE TABLE。备份、副本、日志和云端中的拷贝须另行删除。使删除不可恢复的命令：",
        "en": "Note: after a plain DELETE, SQLite keeps the deleted rows in free pages, freeblocks "
        "and the WAL, where they can be recovered, until VACUUM (or secure_delete set before the "
        "DELETE); PostgreSQL needs VACUUM FULL, MySQL OPTIMIZE TABLE. Copies in backups, "
        "replicas, logs and the cloud must be deleted separately. Commands that make deletion final:",
    },
    "note_finalise_items": {
        "zh": "“已删除但可恢复”的条目已不在表中，无法再用 DELETE 删除：对其所在数据库执行 VACUUM 后复核。",
        "en": "Items 'deleted but recoverable' are no longer in their table and cannot be deleted "
        "again: run VACUUM on their database, then check again.",
    },
    "note_members": {
        "zh": "压缩包内的条目：压缩包不能原地删除单个文件，须重新打包（不含这些文件）或整体删除；"
        "若压缩包是云端备份的下载件，云端的原件同样须删除。",
        "en": "Archive members cannot be removed in place: rebuild the archive without them or "
        "delete it; where it was downloaded from a cloud backup, delete the original there too.",
    },
    "note_remote": {
        "zh": "上传日志显示人脸数据曾被发送至：{remote}（该处副本须一并删除并取得删除证明）",
        "en": "Upload logs show face data was sent to: {remote} (delete the copies there and "
        "obtain proof of deletion)",
    },
    "note_problem": {"zh": "未能确定主键：{problem}", "en": "Key not determined: {problem}"},
    "note_digest": {
        "zh": "本清单的 SHA-256：{digest}（已记入监管链日志；verify-deletion 按此清单复核）",
        "en": "SHA-256 of this list: {digest} (logged in custody; verify-deletion checks this list)",
    },
}


def text(key: str, lang: str, **values: object) -> str:
    """One string in ``lang`` (``zh`` or ``en``; ``zh+en`` gives Chinese then English)."""
    entry = STRINGS[key]
    if lang == "zh+en":
        return f"{entry['zh'].format(**values)} / {entry['en'].format(**values)}"
    return entry["en" if lang == "en" else "zh"].format(**values)
