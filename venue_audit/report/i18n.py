"""The report's words in Chinese and English.

Chinese is the default because the report goes to Chinese examiners and
courts; ``zh+en`` prints both, Chinese first, for mixed teams and for
reviewers who check the translation against the Chinese wording.
"""

from __future__ import annotations

from collections.abc import Mapping

from venue_audit.report import labels
from venue_audit.report.reasons import ORIGINAL_LABEL, REASONS, STAGE_LABELS

LANGS = ("zh", "en", "zh+en")

STRINGS: dict[str, tuple[str, str]] = {
    "report_title": (
        "人脸信息留存情况电子数据检验报告",
        "Electronic data examination report: retained facial information",
    ),
    "case_title": ("案由", "Matter"),
    "case_no": ("案件编号", "Case number"),
    "commissioned_at": ("委托时间", "Commissioned"),
    "material_source": ("检材来源（提交人、导出方式、封存编号）", "Evidence source (who, how exported, seals)"),
    "handover_at": ("检材移交时间", "Handed over"),
    "requirements": ("检验要求", "Examination requirements"),
    "witnesses": ("见证人", "Witnesses"),
    "holder": ("持有人", "Holder"),
    "not_given": ("（未填写）", "(not given)"),
    "abbreviated": (
        " …（共 {n} 个字符，全文见附件 {annex}）… ",
        " … ({n} characters; in full in the annex {annex}) … ",
    ),
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
    "band_range": ("阈值敏感性区间 {low}–{high}", "threshold sensitivity range {low}–{high}"),
    "persons_interval": ("误差区间 {low}–{high}", "error interval {low}–{high}"),
    "interval_note": (
        "误差区间：按本方法在带标注的真实人脸上实测的拆分（一人被分为多组）与合并（多人被归为一组）"
        "推算的人数范围，含实测的最大相对误差与两倍随机误差；“至少 N 人”为按实测最大低估比例再减去四倍"
        "随机误差得出的保守下限。区间上限不低于“各组均为不同的人”并计入实测合并时的人数。"
        "二者均不是统计学意义上的置信区间。",
        "Error interval: the range of the person count given the splits (one person in several "
        "groups) and merges (several persons in one group) of this method measured on labelled "
        "real faces, widened by the largest relative error measured and twice the random error; "
        "\"at least N\" takes the largest underestimate measured less four times the random "
        "error. The upper end is never below the count with every group a different person plus "
        "the measured merges. Neither is a confidence interval.",
    ),
    "lower_bound": ("至少 {n} 人", "at least {n}"),
    "band_note": (
        "阈值敏感性区间：同一人判定阈值在检验方法所列范围内变动时人数的变化范围，"
        "说明结果对参数的敏感程度，不是统计学意义上的置信区间。",
        "Threshold sensitivity range: how the number of persons changes as the same-person "
        "threshold moves over the range given in the method; it is not a confidence interval.",
    ),
    "persons_listed": ("人员统计表所列人数", "Persons listed in the persons table"),
    "persons_listed_value": (
        "{n}（有未删除数据 {live} 人，仅见于已删除数据 {deleted} 人）",
        "{n} ({live} with live data, {deleted} only in deleted data)",
    ),
    "persons_live": ("有未删除数据的人数", "Persons with live data"),
    "persons_deleted_only": ("仅见于已删除数据的人数", "Persons only in deleted data"),
    "offsite_stores": ("场所以外的存储（云端、其他主机）", "Stores outside the venue (cloud, other hosts)"),
    "offsite_value": (
        "{stores} 处；其中与场所人脸完全相同的副本 {copies} 条，同一人的其他人脸记录 {matches} 条",
        "{stores}; holding {copies} byte-identical copies of venue records and {matches} other "
        "records of persons seen at the venue",
    ),
    "log_events": ("日志中的上传、删除事件", "Upload and deletion events in logs"),
    "log_events_none": ("未发现上传或删除事件", "no upload or deletion events found"),
    "log_events_value": (
        "上传见于 {upload_days} 天（日志 {upload_lines} 行{upload_files}）；"
        "删除见于 {delete_days} 天（日志 {delete_lines} 行{delete_files}）",
        "uploads on {upload_days} days ({upload_lines} log lines{upload_files}); "
        "deletions on {delete_days} days ({delete_lines} log lines{delete_files})",
    ),
    "log_files_stated": ("，记载涉及文件 {n} 个", "; {n} files named"),
    "filing_threshold": (
        "《人脸识别技术应用安全管理办法》第十五条备案标准（10万人）",
        "Filing threshold of the Measures Art. 15 (100,000 persons)",
    ),
    "filing_reached": ("已达到：存储人脸信息 {n} 人", "reached: face data of {n} persons stored"),
    "filing_not_reached": (
        "未达到：存储人脸信息 {n} 人（标准 {threshold} 人）",
        "not reached: face data of {n} persons stored (threshold {threshold})",
    ),
    "filing_not_in_force": (
        "；该办法自 {date} 起施行，统计截止日期时尚未施行",
        "; the Measures are in force from {date}, after the as-of date",
    ),
    "evidence_set_hash": ("检材集合哈希（清单 SHA-256）", "Evidence-set hash (manifest SHA-256)"),
    "verification_value": (
        "{verdict}（仍存在 {live} 项，可恢复 {recoverable} 项）",
        "{verdict} ({live} still live, {recoverable} recoverable)",
    ),
    "unit_persons": ("{n} 人", "{n} persons"),
    "unit_records": ("{n} 条记录", "{n} records"),
    "unit_items": ("{n} 处", "{n} locations"),
    "unit_stores": ("{n} 处", "{n}"),
    "unit_log_lines": ("{n} 条日志", "{n} log lines"),
    # English singulars of the units above, used when the count is exactly one
    "unit_persons_one": ("{n} 人", "{n} person"),
    "unit_records_one": ("{n} 条记录", "{n} record"),
    "unit_items_one": ("{n} 处", "{n} location"),
    "unit_log_lines_one": ("{n} 条日志", "{n} log line"),
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
    "rule_ref": ("附件 findings.csv 中的规则编号 {rule}", "rule {rule} in the annex findings.csv"),
    "locator_notation": (
        "证据位置按工具的记法书写，与附件中的写法一致：文件路径之后，“!/”后为压缩包内的路径，"
        "“table”为数据表名，“rowid”为行号，“column”为字段名，“line”为文本行号，“row”为表格行号，"
        "“record”为记录序号，“@”后为字节偏移。",
        "Evidence pointers are written in the tool's notation, as in the annexes: after the file "
        "path, \"!/\" opens an archive member, \"table\" names a table, \"rowid\" a row, "
        "\"column\" a column, \"line\" a text line, \"row\" a spreadsheet row, \"record\" a "
        "record's number, and \"@\" a byte offset.",
    ),
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
    "mtime_zone": ("修改时间（换算为 {tz}）", "modification time (in {tz})"),
    "mtime_no_offset": (
        "{time}（压缩包条目时间，未记录时区，按原值列出）",
        "{time} (archive entry time: no offset recorded, shown as stored)",
    ),
    "acquired_at": ("固定时间", "Acquired"),
    "disguised": (
        "扩展名与内容不符：扩展名为 {ext}，内容为 {type}",
        "extension and content disagree: named {ext}, content is {type}",
    ),
    "disguised_count": ("扩展名与内容不符的检材", "Items whose extension hides their type"),
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
    "offsite_mark": ("【场所以外：{why}】", "[off-site: {why}]"),
    "kind": ("种类", "Kind"),
    "profile": ("系统识别", "Profile"),
    "method": ("检验方法", "Method"),
    "tools": ("工具及版本", "Tools and versions"),
    "environment": ("运行环境", "Environment"),
    "models": ("模型文件及其 SHA-256", "Model files and their SHA-256"),
    "parameters": ("参数", "Parameters"),
    "parameter": ("参数", "Parameter"),
    "clustering": ("人员聚类方法", "Clustering method"),
    "clustering_text": (
        "特征空间 {space}（{metric} 距离）：完全相同的特征向量只计一次；具有相同人员标识（如访客编号）"
        "或相同内容的人脸先行合并；每张人脸与其 {k} 个最近邻中距离小于 {link} 的人脸相连，所得片段在"
        "平均距离小于 {merge} 时合并；随机种子 {seed}。阈值敏感性：合并阈值在 {sweep_low}–{sweep_high} "
        "之间取 {steps} 个值时，人数为 {low}–{high}。该特征空间共 {persons} 人（含仅见于已删除数据者）。",
        "{space}: see the method text.",
    ),
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
        "报告本身的 SHA-256 无法写入报告内部：其值记录于报告旁的 annexes.sha256 文件中（本报告未加数字签名）；"
        "页脚所载为附件 summary.json 的 SHA-256。",
        "A PDF cannot contain its own hash: the report's SHA-256 is in annexes.sha256 beside it "
        "(this report is not digitally signed); the footer carries the SHA-256 of the annex "
        "summary.json.",
    ),
    "report_hash_note_signed": (
        "报告本身的 SHA-256 无法写入报告内部：其值记录于报告旁的 annexes.sha256 文件中，报告另加数字签名；"
        "页脚所载为附件 summary.json 的 SHA-256。",
        "A PDF cannot contain its own hash: the report's SHA-256 is in annexes.sha256 beside it, "
        "and the report carries a digital signature; the footer carries the SHA-256 of the annex "
        "summary.json.",
    ),
    "font_note": (
        "本报告所用字体（{font}；仅嵌入本报告用到的字符）已全部嵌入文件，任何阅读软件均按同一字形显示。",
        "Every font of this report ({font}; the characters it uses) is embedded, so every viewer "
        "shows the same glyphs.",
    ),
    "sealed_notice": (
        "密封附件：本报告含未经模糊处理的人脸图像，仅限办案使用，不得公开。",
        "SEALED ANNEX: this report contains unblurred face images; not for disclosure.",
    ),
    "findings": ("检验发现", "Findings"),
    "offsite_store_line": (
        "{store}（{why}）：与场所记录完全相同的副本 {copies} 条，场所所见人员的其他人脸记录 {matches} 条，"
        "无法与场所数据对应的人脸记录 {other} 条。",
        "{store} ({why}): {copies} byte-identical copies of venue records, {matches} other records "
        "of persons seen at the venue, {other} face records matching nothing at the venue.",
    ),
    "offsite_marked": ("检验人员标记为场所以外的检材", "marked off-site by the examiners"),
    "offsite_by_path": ("路径含“{words}”", "path names {words}"),
    "offsite_logs": (
        "日志中另有 {n} 条上传记录，给出上传时间与远端主机（见图表部分）。",
        "The logs add {n} upload lines with times and remote hosts (see the charts).",
    ),
    "offsite_no_logs": (
        "未发现上传日志；上述副本本身即证明人脸信息已传输至场所以外。",
        "No upload log was found; the copies themselves prove the face data left the venue.",
    ),
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
    "evidence_no": ("清单第 {n} 项\n{where}", "evidence item {n}\n{where}"),
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
    "chart_timeline_axes": (
        "左轴：每日采集记录数（条）；右轴：日志事件涉及的文件数（日志未记载文件数的，按日志行数计）。",
        "Left axis: capture records per day; right axis: files named by the log events (log lines "
        "where no number of files is given).",
    ),
    "chart_retention_axes": (
        "纵轴：未删除的采集记录数（条）；横轴：截至统计截止日期的留存天数。",
        "Vertical: live capture records; horizontal: days kept at the as-of date.",
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
    # device events and recorder system-log actions (sources/device_events.py,
    # sources/cctv/hikvision_disk.py ACTIONS), as the timeline lower-cases them
    "legend_face capture": ("人脸抓拍", "face capture"),
    "legend_face recognition": ("人脸识别比对", "face recognition"),
    "legend_face detection": ("人脸检测", "face detection"),
    "legend_door face recognition": ("门禁人脸识别", "door face recognition"),
    "legend_power on": ("录像机开机", "power on"),
    "legend_shutdown": ("录像机关机", "shutdown"),
    "legend_abnormal shutdown": ("录像机异常关机", "abnormal shutdown"),
    "legend_format (local: initialize hdd)": ("本地格式化硬盘", "format (local: initialize HDD)"),
    "legend_format (remote: initialize hdd)": ("远程格式化硬盘", "format (remote: initialize HDD)"),
    "legend_remote login": ("远程登录", "remote login"),
    "legend_remote logout": ("远程退出", "remote logout"),
    "legend_remote playback": ("远程回放", "remote playback"),
    "legend_remote export config": ("远程导出配置", "remote export config"),
    "legend_time change": ("修改系统时间", "time change"),
    "legend_illegal login": ("非法登录", "illegal login"),
    "device_events_linked": (
        "设备人脸事件（{kind}）：{linked} 条事件的图片已链接到证据中的抓拍记录；{unlinked} 条事件的图片"
        "地址未指向证据中的任何人脸图片（仅为事件，不计入采集记录）。",
        "Device face events ({kind}): {linked} events name a picture linked to a capture record "
        "of the evidence; {unlinked} events name pictures none of which is a face picture in the "
        "evidence (events only, not counted as records).",
    ),
    "log_files_linked": (
        "日志中的{kind}记录：{linked} 行所列文件为证据中的采集记录；{unlinked} 行所列文件不在检材中"
        "（如打包文件、已删除的图片）。",
        "{kind} log lines: {linked} name files that are capture records of the evidence; "
        "{unlinked} name only files that are not in the evidence (packs, deleted pictures).",
    ),
    "retention_limit": ("留存期限：{days} 天", "retention limit: {days} days"),
    "remote": ("远端主机", "Remote host"),
    "remote_none": ("（日志未记载）", "(not in the log)"),
    "log_lines": ("日志行数", "Log lines"),
    "log_files": ("涉及文件数", "Files named"),
    "not_stated": ("未记载", "not stated"),
    "keys_none": ("未发现场所标识", "no venue key found"),
    "not_counted": ("未计数", "not counted"),
    "transformation_name": ("数据转换", "Transformation"),
    "description": ("说明", "Description"),
    "evidence_files_value": (
        "{files}（另有压缩包内成员 {members} 项，均列入电子数据清单）",
        "{files} (plus {members} archive members, all in the evidence list)",
    ),
    "days": ("天数", "Days"),
    "no_data": ("无数据", "no data"),
    "persons": ("人员统计", "Persons"),
    "persons_top": (
        "按记录数列出前 {shown} 人（共 {total} 人）；完整列表见附件 persons.csv。",
        "Top {shown} of {total} persons by records; the full list is in the annex persons.csv.",
    ),
    "person_id": ("人员编号", "Person id"),
    "venue_keys": ("场所系统中的标识", "Keys in the venue's systems"),
    "consent_matched": ("关联的同意记录", "Consent rows matched"),
    "consent_none": ("未找到关联的同意记录", "no consent row matched"),
    "stores_cameras": ("存储位置 / 摄像头", "Stores / cameras"),
    "captured": ("首次 / 最后采集（时间来源）", "First / last capture (clock)"),
    "records_live_deleted": ("记录数（另有已删除）", "Records (plus deleted)"),
    "deleted_suffix": ("另有已删除 {n} 条", "plus {n} deleted"),
    "consent_judged": ("同意核查：{status}", "consent check: {status}"),
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
    "consent_problems": (
        "同意记录中未能读取或关联的内容（{n} 项）",
        "Consent-register entries not read or not linked ({n})",
    ),
    "more_in_annex": ("……另 {n} 项，全文见附件 {annex}", "... {n} more, all in the annex {annex}"),
    "skipped_more": ("另有 {n} 项未列出。", "{n} more not listed."),
    "reason": ("原因", "Reason"),
    "stage": ("阶段", "Stage"),
    "locator": ("位置", "Locator"),
    "verification": ("删除验证", "Deletion verification"),
    "after_state": ("删除验证检材", "deletion-verification evidence"),
    "residual_heading": (
        "残留数据位置（共 {n} 项，完整列表见附件 verification.json）",
        "Where residual data was found ({n} items; all in the annex verification.json)",
    ),
    "baseline_item": ("原始数据", "Baseline item"),
    "verification_compared": (
        "比对：删除前为{baseline}；删除后检查的数据为 {after}",
        "Compared: before the deletion, {baseline}; checked after it, {after}",
    ),
    "baseline_scan": ("本案的扫描结果", "this case's scan"),
    "person_subject": ("人员 {id}", "person {id}"),
    "found_at": ("删除后发现于", "Found after the deletion at"),
    "how": ("比对方式", "Matched by"),
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
    "signatures": ("签名", "Signatures"),
    "examiner_role": ("检验人", "Examiner"),
    "witness_role": ("见证人", "Witness"),
    "holder_role": ("持有人", "Holder"),
    "seal_box": ("（检验机构盖章）", "(seal of the examining body)"),
    "os_account": ("系统账户 {account}", "OS account {account}"),
    "handover_event": (
        "检材移交（所述时间 {at}）",
        "evidence handed over (stated time {at})",
    ),
    "conclusion": ("检验意见", "Conclusion"),
    "conclusion_counts": (
        "经检验，{venue}的检材（{files} 个文件，检材集合 SHA-256 前十六位 {digest}）中存储人脸采集记录"
        " {records} 人次，涉及不同自然人 {distinct} 人（{range}）；另有 {deleted} 人仅见于已删除但可恢复的数据"
        "（已删除可恢复记录 {deleted_records} 条）。",
        "The evidence of {venue} ({files} files, evidence-set SHA-256 beginning {digest}) holds "
        "{records} capture records of {distinct} distinct persons ({range}); persons seen only in "
        "deleted, recoverable data: {deleted} ({deleted_records} deleted records).",
    ),
    "conclusion_consent": (
        "经与同意记录核对：未取得单独同意 {no_consent} 人，撤回同意后仍保留 {withdrawn} 人，"
        "超期保留 {expired} 人，已取得同意 {consented} 人。",
        "Checked against the consent records: {no_consent} without separate consent, {withdrawn} "
        "kept after withdrawing consent, {expired} kept past the period, {consented} consented.",
    ),
    "conclusion_not_assessed": ("未进行同意核查。", "Consent was not checked."),
    "conclusion_no_register": (
        "未提供同意记录，{n} 人均按未取得单独同意计。",
        "No consent register was provided: all {n} persons count as without separate consent.",
    ),
    "conclusion_offsite": (
        "在 {stores} 处场所以外的存储中发现场所人脸信息 {copies} 条，人脸信息已被传输至场所以外。",
        "Stores outside the venue ({stores}) hold {copies} records of the venue's face data: the "
        "face data left the venue.",
    ),
    "conclusion_verification": (
        "删除验证结论：{verdict}（残留 {residual} 项）。",
        "Deletion verification: {verdict} (residual items: {residual}).",
    ),
    "conclusion_findings": (
        "共形成检验发现 {n} 项，其事实、证据位置与法律依据见“检验发现”部分；计数规则与检验过程见“检验方法”部分。",
        "Findings: {n}, each with its evidence pointers and legal basis under Findings; the "
        "counting rules and the examination process are under Method.",
    ),
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
    "": ("—", "—"),
}

SEVERITY_LABELS: dict[str, tuple[str, str]] = {
    "high": ("高", "high"),
    "medium": ("中", "medium"),
    "low": ("低", "low"),
    "info": ("提示", "info"),
}

PARAMETER_LABELS = labels.PARAMETERS

# Where a capture time was read, and whether that clock records its UTC offset.
CLOCK_LABELS: dict[str, tuple[str, str]] = {
    "file_name": ("文件名中的时间", "time in the file name"),
    "file_name_unix": ("文件名中的 Unix 时间戳", "Unix time in the file name"),
    "archive_member": ("压缩包条目时间", "archive entry time"),
    "archive_member_date": ("压缩包条目时间", "archive entry time"),
    "exif:DateTimeOriginal": ("EXIF 拍摄时间", "EXIF DateTimeOriginal"),
    "exif:DateTimeDigitized": ("EXIF 数字化时间", "EXIF DateTimeDigitized"),
    "exif:DateTime": ("EXIF 修改时间", "EXIF DateTime"),
    "video start": ("视频起始时间", "video start time"),
    "mtime": ("文件系统修改时间", "file-system modification time"),
}
# Clocks that never record an offset: the time is read in the case's zone, and said so.
CLOCKS_WITHOUT_OFFSET = ("file_name", "archive_member", "archive_member_date", "exif:DateTimeDigitized", "exif:DateTime")


# How a time's UTC offset was known, as the scan recorded it (artifacts.captured_at_offset).
OFFSET_LABELS: dict[str, tuple[str, str]] = {
    "stored": ("原始值带时区，换算为 {tz} 显示", "the value carried its offset; shown in {tz}"),
    "absolute": ("原始值为 Unix 时间戳，换算为 {tz} 显示", "a Unix time; shown in {tz}"),
    "assumed": ("原始值无时区，按 {tz} 解释", "the value has no offset; read in {tz}"),
}


def clock_label(source: str, lang: str, tz: str, offset: str = "") -> str:
    """Which clock a time comes from, and how its offset was known (or that it was not).

    ``offset`` is what the scan recorded for this very time; a case scanned before it was
    recorded gets the clock's general rule instead.
    """
    if not source:
        return pair("时间来源未记录", "time source not recorded", lang)
    if source.startswith("column:"):
        column = source.removeprefix("column:")
        zh, en = f"数据库字段 {column}", f"database column {column}"
        if offset not in OFFSET_LABELS:
            return pair(
                f"{zh}（字段值无时区时按 {tz} 解释）",
                f"{en} (read in {tz} where the value has no offset)",
                lang,
            )
    else:
        zh, en = CLOCK_LABELS.get(source, (source, source))
    if offset in OFFSET_LABELS:
        how_zh, how_en = (w.format(tz=tz) for w in OFFSET_LABELS[offset])
        return pair(f"{zh}（{how_zh}）", f"{en} ({how_en})", lang)
    if source in CLOCKS_WITHOUT_OFFSET:
        zh += f"（原始时间无时区，按 {tz} 解释）"
        en += f" (no offset recorded; read in {tz})"
    elif source == "exif:DateTimeOriginal":
        zh += f"（无 OffsetTimeOriginal 时按 {tz} 解释）"
        en += f" (read in {tz} unless OffsetTimeOriginal is present)"
    return pair(zh, en, lang)


def all_wordings() -> list[str]:
    """Every fixed string the report can print, in both languages (for the font subset)."""
    from venue_audit.remediation import wording as remediation
    from venue_audit.report.self_audit_wording import SELF_AUDIT_STRINGS

    tables = (
        STRINGS, STATUS_LABELS, SEVERITY_LABELS, PARAMETER_LABELS, CLOCK_LABELS, SELF_AUDIT_STRINGS,
        OFFSET_LABELS, REASONS, STAGE_LABELS, {"original": ORIGINAL_LABEL}, labels.STORE_KINDS,
        labels.PROFILES, labels.CUSTODY_ACTIONS, labels.ENVIRONMENT, labels.VALUES,
        labels.TRANSFORMATIONS, labels.MATCHES, labels.EVENT_KINDS,
    )
    remediation_labels = (
        remediation.REASON_LABELS, remediation.STATE_LABELS, remediation.ACTION_LABELS
    )
    return [word for table in tables for pair_ in table.values() for word in pair_] + [
        word for table in remediation_labels for entry in table.values() for word in entry.values()
    ]


def text(key: str, lang: str, **values: object) -> str:
    """One string in the report's language; ``zh+en`` joins both with a slash."""
    zh, en = STRINGS[key]
    return pair(zh.format(**values), en.format(**values), lang)


def labelled(label: str, value: object, lang: str) -> str:
    """``label：value`` with the colon of the report's language."""
    return f"{label}: {value}" if lang == "en" else f"{label}：{value}"


def listed(values: list[str], lang: str) -> str:
    """A run of short values with the report's list separator (、 in Chinese)."""
    return (", " if lang == "en" else "、").join(values)


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
    """A setting's name; a clustering setting ``<space>.<name>`` names its space too."""
    space, dot, key = name.rpartition(".")
    zh, en = PARAMETER_LABELS.get(key, (key, key))
    if dot:
        zh, en = f"人员聚类（{space}）：{zh}", f"Persons ({space}): {en}"
    return pair(zh, en, lang)


def parameter_value(value: object, lang: str) -> str:
    """A setting's value: yes/no and named choices in words, numbers and names as they are."""
    if isinstance(value, float):
        shown = f"{value:g}"
    elif isinstance(value, list | tuple):
        return "、".join(parameter_value(v, lang) for v in value) if lang != "en" else ", ".join(
            parameter_value(v, lang) for v in value
        )
    else:
        shown = str(value)
    zh, en = labels.VALUES.get(shown, (shown, shown))
    return pair(zh, en, lang)


def label(table: dict[str, tuple[str, str]], key: str, lang: str) -> str:
    """A tool identifier (store kind, custody action …) named from one of the label tables."""
    zh, en = table.get(key, (key, key))
    return pair(zh, en, lang)

def reason_text(
    code: str | None, params: Mapping[str, object] | None, original: str, lang: str
) -> str:
    """Why something was skipped (or a person has their status), in the report's language.

    Worded from the reason table when the code is known and its values are all there;
    otherwise the tool's own sentence, labelled as such, never a guessed translation.
    """
    wording = REASONS.get(code or "")
    try:
        zh, en = (w.format(**(params or {})) for w in wording) if wording else (None, None)
    except (KeyError, IndexError, ValueError):
        zh = en = None
    if zh is None:
        return original if lang == "en" else f"{ORIGINAL_LABEL[0]}{original}"
    return pair(zh, original or en or "", lang)


def consent_reasons(
    notes: list[dict[str, object]], sentence: str, lang: str
) -> list[str]:
    """Why a person has their consent status, one line per reason, in the report's language.

    A case assessed before the notes were coded has only the tool's English sentence: it is
    shown as the tool's own words.
    """
    if not notes:
        return [reason_text(None, None, sentence, lang)] if sentence else []
    return [
        reason_text(
            str(note.get("code", "")),
            note.get("params") if isinstance(note.get("params"), dict) else {},  # type: ignore[arg-type]
            str(note.get("text", "")),
            lang,
        )
        for note in notes
    ]


def stage_label(stage: str, lang: str) -> str:
    zh, en = STAGE_LABELS.get(stage, (stage, stage))
    return pair(zh, en, lang)


def offsite_why(why: str, lang: str) -> str:
    """"marked" or "path: cloud, oss" in the report's words."""
    if why == "marked":
        return text("offsite_marked", lang)
    return text("offsite_by_path", lang, words=why.removeprefix("path: "))
