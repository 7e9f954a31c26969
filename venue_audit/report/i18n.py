"""The report's words in Chinese and English.

Chinese is the default because the report goes to Chinese examiners and
courts; ``zh+en`` prints both, Chinese first, for mixed teams and for
reviewers who check the translation against the Chinese wording.
"""

from __future__ import annotations

LANGS = ("zh", "en", "zh+en")

STRINGS: dict[str, tuple[str, str]] = {
    "report_title": (
        "人脸信息留存情况电子数据检验报告",
        "Electronic data examination report: retained facial information",
    ),
    "case_title": ("案由", "Matter"),
    "case_no": ("案件编号", "Case number"),
    "org": ("委托单位", "Commissioning body"),
    "venue": ("检验对象（场所/系统）", "Venue / system examined"),
    "place": ("检验地点", "Place of examination"),
    "examiners": ("检验人员", "Examiners"),
    "period": ("检验时间", "Examination period"),
    "as_of": ("统计截止日期", "As-of date"),
    "tz": ("时区", "Time zone"),
    "report_id": ("报告编号", "Report id"),
    "tool": ("检验工具", "Tool"),
    "summary": ("检验结论摘要", "Summary of results"),
    "summary_intro": (
        "以下数字均按本报告“检验方法”所述计数规则得出；完整数据见附件。",
        "All numbers follow the counting rules in the method section; "
        "full data are in the annexes.",
    ),
    "records": ("人脸采集记录（人次）", "Capture records"),
    "distinct": ("不同自然人（人数）", "Distinct persons"),
    "band": ("置信区间", "confidence band"),
    "only_deleted": ("仅见于已删除可恢复数据的人数", "Persons only in deleted, recoverable data"),
    "face_images": ("人脸图像", "Face images"),
    "faces_in_images": ("图像中检出的人脸", "Faces detected in images"),
    "face_templates": ("人脸特征模板", "Face templates"),
    "video_frames": ("含人脸的视频帧", "Video frames with faces"),
    "exact_duplicates": ("完全重复项", "Exact duplicates"),
    "deleted_recoverable": ("已删除但可恢复的记录", "Deleted but recoverable records"),
    "stores_found": ("发现的人脸数据存储", "Face data stores found"),
    "evidence_files": ("检材文件数", "Evidence files"),
    "evidence_bytes": ("检材总字节数", "Evidence bytes"),
    "persons_by_status": ("按同意状态统计的人数", "Persons by consent status"),
    "status": ("状态", "Status"),
    "count": ("数量", "Count"),
    "item": ("项目", "Item"),
    "value": ("数值", "Value"),
    "findings_overview": ("检验发现及法律依据", "Findings and legal basis"),
    "rule": ("规则", "Rule"),
    "severity": ("严重程度", "Severity"),
    "citations": ("法律依据", "Legal basis"),
    "no_findings": ("未发现需报告的问题。", "No findings to report."),
    "evidence_list": ("电子数据清单", "Evidence list"),
    "evidence_intro": (
        "每一检材的路径、类型、大小、时间及 MD5 / SHA-256 / SM3 完整性校验值。",
        "Every item with path, type, size, times and MD5 / SHA-256 / SM3 integrity values.",
    ),
    "evidence_truncated": (
        "本表列出前 {shown} 项（共 {total} 项）；完整清单见附件 manifest.csv。",
        "The first {shown} of {total} items are listed; the full list is "
        "in the annex manifest.csv.",
    ),
    "no": ("序号", "No."),
    "path": ("路径", "Path"),
    "type": ("类型", "Type"),
    "size": ("大小（字节）", "Size (bytes)"),
    "mtime": ("修改时间", "Modified"),
    "acquired_at": ("固定时间", "Acquired"),
    "hashes": ("完整性校验值", "Integrity values"),
    "integrity": (
        "完整性校验（固定时与报告时比对）",
        "Integrity check (acquisition vs report time)",
    ),
    "integrity_summary": (
        "一致 {match} 项，不一致 {mismatch} 项，未复核 {unchecked} 项。",
        "{match} match, {mismatch} mismatch, {unchecked} not re-checked.",
    ),
    "integrity_shown": (
        "下表列出不一致及未复核项，以及前 {shown} 个一致项。",
        "Mismatched and unchecked items are listed, plus the first {shown} matching items.",
    ),
    "at_acquisition": ("固定时 SHA-256", "SHA-256 at acquisition"),
    "at_report": ("报告时 SHA-256", "SHA-256 at report time"),
    "result": ("结论", "Result"),
    "match": ("一致", "match"),
    "mismatch": ("不一致", "MISMATCH"),
    "unchecked": ("未复核", "not re-checked"),
    "stores": ("人脸数据存储", "Face data stores"),
    "kind": ("种类", "Kind"),
    "profile": ("系统识别", "Profile"),
    "method": ("检验方法", "Method"),
    "tools": ("工具及版本", "Tools and versions"),
    "environment": ("运行环境", "Environment"),
    "models": ("模型文件及其 SHA-256", "Model files and their SHA-256"),
    "parameters": ("参数", "Parameters"),
    "parameter": ("参数", "Parameter"),
    "clustering": ("人员聚类方法", "Clustering method"),
    "transformations": ("数据转换步骤", "Transformations"),
    "commands": ("命令行（取自监督保管记录）", "Command lines (from the custody log)"),
    "acquisition": ("固定与读取方式", "Acquisition and read-only access"),
    "acquisition_text": (
        "检材全程只读：文件以只读方式打开，SQLite 数据库以 immutable 只读 URI 打开，压缩包在内存中读取、"
        "不解压到检材目录；不执行、不反序列化检材中的任何内容。每一检材及压缩包成员在固定时计算 MD5、"
        "SHA-256 与 SM3，报告时重新计算 SHA-256 并与固定时比对（见完整性校验表）。每一操作记入带哈希链的"
        "监督保管记录。",
        "Evidence is only ever read: files are opened read-only, SQLite databases through "
        "immutable read-only URIs, archives in memory without extraction into the evidence "
        "folder; nothing from the evidence is executed or deserialised. MD5, SHA-256 and SM3 of "
        "every item and archive member were computed at acquisition, and SHA-256 again at report "
        "time (see the integrity table). Every operation is in the hash-chained custody log.",
    ),
    "counting_rules": ("计数规则", "Counting rules"),
    "counting_rules_text": (
        "人次：每一存储的含人脸记录（图像文件、压缩包成员、数据库图像字段）及每一存储的人脸特征模板；"
        "同一数据库行同时含图像与模板的计为一条记录。人数：经身份关联后的人员聚类数，仅计有未删除数据者；"
        "仅见于已删除可恢复数据的人员单独计数。每人只归入一种状态：未取得同意、撤回同意后仍保留、超期保留、已取得同意（按此顺序取第一项）。",
        "Capture records: each stored face-bearing record (image file, archive member, database "
        "image) and each stored template; a database row holding both a crop and its template is "
        "one record. Distinct persons: clusters after identity linking, counting persons with live "
        "data; persons seen only in recovered deleted data are counted separately. Each person has "
        "exactly one status, the first that applies: no consent, consent withdrawn but data "
        "retained, retained past the period, consented.",
    ),
    "report_hash_note": (
        "报告本身的 SHA-256 无法写入报告内部：其值记录于报告旁的 annexes.sha256 文件及数字签名中；"
        "页脚所载为附件 summary.json 的 SHA-256。",
        "A PDF cannot contain its own hash: the report's SHA-256 is in annexes.sha256 beside it "
        "and in its digital signature; the footer carries the SHA-256 of the annex summary.json.",
    ),
    "font_note": (
        "本报告所用字体（{font}）已全部嵌入文件，任何阅读软件均按同一字形显示。",
        "Every font of this report ({font}) is embedded, so every viewer shows the same glyphs.",
    ),
    "sealed_notice": (
        "密封附件：本报告含未经模糊处理的人脸图像，仅限办案使用，不得公开。",
        "SEALED ANNEX: this report contains unblurred face images; not for disclosure.",
    ),
    "findings": ("检验发现", "Findings"),
    "later_guidance": (
        "以下规定施行于上述行为之后，不作为认定依据，仅作为后续合规参考：",
        "These came into force after the conduct above: cited as later guidance only, not as "
        "the rule broken:",
    ),
    "finding_count": ("数量", "Count"),
    "locators": ("证据位置（示例）", "Evidence pointers (sample)"),
    "locators_more": ("另有 {n} 处，见附件 findings.csv。", "{n} more in the annex findings.csv."),
    "persons_involved": ("涉及人员编号（示例）", "Persons involved (sample)"),
    "thumbnails": ("样本缩略图", "Sample thumbnails"),
    "thumbnails_redacted": (
        "（已模糊处理，以免报告本身泄露人脸信息）",
        "(blurred so that the report itself does not leak faces)",
    ),
    "thumbnails_sealed": ("（未模糊，仅限密封附件使用）", "(not blurred: sealed annex only)"),
    "charts": ("图表", "Charts"),
    "chart_timeline": (
        "每日采集记录数与日志中的上传、删除事件",
        "Captures per day with uploads and deletions from logs",
    ),
    "chart_retention": (
        "留存时长分布（天，截至统计截止日期）",
        "Retention age (days, at the as-of date)",
    ),
    "chart_status": ("按状态统计的人数", "Persons by status"),
    "legend_captures": ("采集记录", "captures"),
    "legend_upload": ("上传", "upload"),
    "legend_delete": ("删除", "delete"),
    "legend_pack": ("打包", "pack"),
    "retention_limit": ("留存期限", "retention limit"),
    "remote": ("远端主机", "Remote host"),
    "days": ("天数", "Days"),
    "no_data": ("无数据", "no data"),
    "persons": ("人员统计", "Persons"),
    "persons_top": (
        "按记录数列出前 {shown} 人（共 {total} 人）；完整列表见附件 persons.csv。",
        "Top {shown} of {total} persons by records; the full list is in the annex persons.csv.",
    ),
    "person_id": ("人员编号", "Person id"),
    "first_seen": ("首次出现", "First seen"),
    "last_seen": ("最后出现", "Last seen"),
    "space": ("特征空间", "Space"),
    "skipped": ("未能处理的项目", "Items that could not be processed"),
    "skipped_count": ("未能处理的项目数", "Items that could not be processed"),
    "too_few_examiners": (
        "注意：检验人员少于两名，不符合电子数据取证须由二名以上人员进行的要求。",
        "Note: fewer than two examiners; evidence rules require at least two.",
    ),
    "skipped_none": ("无。", "None."),
    "skipped_more": ("另有 {n} 项未列出。", "{n} more not listed."),
    "reason": ("原因", "Reason"),
    "stage": ("阶段", "Stage"),
    "locator": ("位置", "Locator"),
    "verification": ("删除验证", "Deletion verification"),
    "subject": ("对象", "Subject"),
    "live": ("仍存在", "Live"),
    "recoverable": ("可恢复", "Recoverable"),
    "gone": ("已清除", "Gone"),
    "verdict": ("结论", "Verdict"),
    "deletion_clean": ("未发现残留人脸数据", "no residual face data found"),
    "deletion_residual": ("发现残留人脸数据", "residual face data found"),
    "custody": ("监督保管记录", "Chain of custody"),
    "seq": ("序号", "Seq"),
    "at": ("时间", "Time"),
    "actor": ("操作人", "Actor"),
    "action": ("操作", "Action"),
    "command": ("命令", "Command"),
    "hash": ("哈希", "Hash"),
    "annexes": ("附件", "Annexes"),
    "annexes_intro": (
        "以下附件与本报告存放于同一目录，其 SHA-256 如下；报告本身的哈希见 annexes.sha256。",
        "These annexes are stored beside this report with the SHA-256 below; the "
        "report's own hash is in annexes.sha256.",
    ),
    "file": ("文件", "File"),
    "signatures": ("检验人签名", "Examiners' signatures"),
    "signature": ("签名", "Signature"),
    "date": ("日期", "Date"),
    "footer_page": ("第 {page} 页 共 {total} 页", "Page {page} of {total}"),
    "footer_hash": ("summary.json SHA-256", "summary.json SHA-256"),
    "yes": ("是", "yes"),
    "none": ("无", "none"),
}

STATUS_LABELS: dict[str, tuple[str, str]] = {
    "no_consent": ("未取得同意", "No consent"),
    "withdrawn_retained": ("撤回同意后仍保留", "Consent withdrawn, data retained"),
    "expired_retained": ("超期保留", "Retained past the period"),
    "consented": ("已取得同意", "Consented"),
    "only_deleted": ("仅见于已删除数据", "Only in deleted data"),
}

SEVERITY_LABELS: dict[str, tuple[str, str]] = {
    "high": ("高", "high"),
    "medium": ("中", "medium"),
    "low": ("低", "low"),
    "info": ("提示", "info"),
}

PARAMETER_LABELS: dict[str, tuple[str, str]] = {
    "detector": ("人脸检测器", "Face detector"),
    "min_face_size": ("最小人脸尺寸（像素）", "Minimum face size (px)"),
    "upsample": ("检测上采样次数", "Detector upsampling"),
    "match_threshold": ("同一人判定阈值", "Same-person threshold"),
    "threshold": ("阈值", "Threshold"),
    "clustering": ("聚类方法", "Clustering method"),
    "seed": ("随机种子", "Random seed"),
    "retention_days": ("留存期限（天）", "Retention period (days)"),
}

def all_wordings() -> list[str]:
    """Every fixed string the report can print, in both languages (for the font subset)."""
    tables = (STRINGS, STATUS_LABELS, SEVERITY_LABELS, PARAMETER_LABELS)
    return [word for table in tables for pair_ in table.values() for word in pair_]


def text(key: str, lang: str, **values: object) -> str:
    """One string in the report's language; ``zh+en`` joins both with a slash."""
    zh, en = STRINGS[key]
    return pair(zh.format(**values), en.format(**values), lang)


def pair(zh: str, en: str, lang: str, joiner: str = " / ") -> str:
    if lang == "zh":
        return zh
    if lang == "en":
        return en
    return f"{zh}{joiner}{en}" if zh != en else zh


def status_label(status: str, lang: str) -> str:
    zh, en = STATUS_LABELS.get(status, (status, status))
    return pair(zh, en, lang)


def severity_label(severity: str, lang: str) -> str:
    zh, en = SEVERITY_LABELS.get(severity, (severity, severity))
    return pair(zh, en, lang)


def parameter_label(name: str, lang: str) -> str:
    zh, en = PARAMETER_LABELS.get(name, (name, name))
    return pair(zh, en, lang)
