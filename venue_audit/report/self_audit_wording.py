"""The self-audit report's words: a business's compliance self-check, not an evidence document.

Keys that :data:`venue_audit.report.i18n.STRINGS` also has are *overrides*: the self-audit
layout (:mod:`venue_audit.report.pdf_self_audit`) prints them instead, so the same sections
read as a 自查 (检验人员 becomes 个人信息保护负责人, 检验发现 becomes 自查发现). The other keys
are the self-audit's own sections: the duties the numbers trigger, the to-delete list, and the
before/after page of the deletion check. Plain language: the reader is a business, and through
it the regulator it may file this with.
"""

from __future__ import annotations

SELF_AUDIT_STRINGS: dict[str, tuple[str, str]] = {
    # --- overrides of the examination report's wording ---------------------------------------
    "report_title": (
        "个人信息保护合规自查报告（人脸信息）",
        "Personal information protection compliance self-audit (facial information)",
    ),
    "case_title": ("自查事项", "Matter"),
    "case_no": ("自查编号", "Self-audit number"),
    "org": ("个人信息处理者", "Personal information processor"),
    "venue": ("自查对象（场所/系统）", "Venue / system audited"),
    "place": ("自查地点", "Place"),
    "examiners": ("个人信息保护负责人", "Person responsible for personal information protection"),
    "period": ("自查时间", "Self-audit period"),
    "tool": ("自查工具", "Tool"),
    "summary": ("自查结论摘要", "Summary of the self-audit"),
    "summary_intro": (
        "以下数字均按本报告“自查方法”所述计数规则得出；完整数据见附件。",
        "All numbers follow the counting rules in the method section; full data are in the annexes.",
    ),
    "evidence_set_hash": ("自查数据集合哈希（清单 SHA-256）", "Data-set hash (manifest SHA-256)"),
    "evidence_files": ("自查数据文件数", "Files audited"),
    "evidence_bytes": ("自查数据总字节数", "Bytes audited"),
    "findings_overview": ("自查发现及法律依据", "Findings and legal basis"),
    "findings": ("自查发现", "Findings"),
    "method": ("自查方法", "Method"),
    "after_state": ("删除后的数据", "data after the deletion"),
    "examiner_role": ("个人信息保护负责人", "Responsible person"),
    "seal_box": ("（个人信息处理者盖章）", "(seal of the processor)"),
    "conclusion": ("自查结论", "Conclusion"),
    "conclusion_counts": (
        "经自查，{venue}的数据（{files} 个文件，数据集合 SHA-256 前十六位 {digest}）中存储人脸采集记录"
        " {records} 人次，涉及不同自然人 {distinct} 人（{range}）；另有 {deleted} 人仅见于已删除但可恢复的数据"
        "（已删除可恢复记录 {deleted_records} 条）。",
        "The data of {venue} ({files} files, data-set SHA-256 beginning {digest}) holds "
        "{records} capture records of {distinct} distinct persons ({range}); {deleted} more persons "
        "appear only in deleted, recoverable data ({deleted_records} deleted records).",
    ),
    "conclusion_findings": (
        "共形成自查发现 {n} 项，见“自查发现”部分；须删除的记录见“待删除清单”，应履行的义务见“法定义务核对”。",
        "{n} findings are set out under Findings; the records to delete are in the to-delete list "
        "and the duties the numbers trigger under Duties.",
    ),
    # --- the self-audit's own sections ---------------------------------------------------------
    "self_audit_notice": (
        "本报告由个人信息处理者自行组织的合规自查生成，供企业整改和内部记录使用；"
        "不是电子数据检验报告、司法鉴定意见或检查笔录，不能替代主管部门的检查结论。",
        "This report comes from a compliance self-audit the processor ran itself, for remediation "
        "and its own records. It is not an electronic-data examination report, a forensic opinion "
        "or an inspection record, and does not replace a regulator's findings.",
    ),
    "duties": ("法定义务核对", "Duties the numbers trigger"),
    "duties_intro": (
        "以下义务由自查数字直接得出；引用的条文均为已核对的原文，并只适用统计截止日期时已施行的规定，"
        "之后施行的规定作为后续指引列出。",
        "These duties follow from the audit's numbers; every citation quotes its verified text and "
        "applies only if in force at the as-of date; later instruments are listed as guidance.",
    ),
    "duty": ("义务", "Duty"),
    "duty_verdict": ("结论", "Result"),
    "duty_facts": ("依据的事实", "Facts"),
    "duty_basis": ("法律依据", "Legal basis"),
    "duty_later": ("后续指引（统计截止日后施行）：{codes}", "Later guidance (in force after the as-of date): {codes}"),
    "duty_filing": ("向省级网信部门备案（存储人脸信息达到10万人）", "Filing with the provincial CAC (face data of 100,000 persons)"),
    "duty_reached": ("已达到", "reached"),
    "duty_possibly_reached": ("可能达到：建议按已达到处理", "possibly reached: treat as reached"),
    "duty_not_reached": ("未达到", "not reached"),
    "duty_filing_facts": (
        "不同自然人 {persons} 人（区间 {low}–{high}，至少 {bound} 人），标准 {threshold} 人。",
        "{persons} distinct persons (interval {low}–{high}, at least {bound}); threshold {threshold}.",
    ),
    "duty_not_in_force": (
        "该规定自 {date} 起施行，统计截止日期时尚未施行：作为后续指引，自施行之日起适用。",
        "In force from {date}, after the as-of date: guidance now, binding from that day.",
    ),
    "duty_pia": ("个人信息保护影响评估", "Personal information protection impact assessment"),
    "duty_required": ("必须进行（处理敏感个人信息）", "required (sensitive personal information)"),
    "duty_not_required": ("不适用（未存储人脸信息）", "not required (no face data stored)"),
    "duty_pia_facts": (
        "存储什么：人脸采集记录 {records} 人次（人脸图像 {images}，特征模板 {templates}），涉及 {persons} 人；"
        "已删除但可恢复 {deleted} 条。存储在哪里：{stores}。存储多久：采集时间 {first} 至 {last}，"
        "保存期限政策 {retention} 天。发送给谁：{sent}。",
        "What is stored: {records} capture records ({images} face images, {templates} templates) "
        "of {persons} persons; {deleted} deleted but recoverable. Where: {stores}. How long: "
        "captured {first} to {last}, retention policy {retention} days. Sent to: {sent}.",
    ),
    "duty_pia_todo": (
        "须由企业补充：处理目的、处理方式等是否合法、正当、必要；对个人权益的影响及安全风险；"
        "保护措施是否合法、有效并与风险程度相适应。评估报告和处理情况记录至少保存三年。",
        "For the business to complete: whether purpose and means are lawful, legitimate and "
        "necessary; the impact on individuals and the security risks; whether the protection "
        "is lawful, effective and proportionate. Keep the report and records at least three years.",
    ),
    "duty_sent_none": ("未发现发送至场所以外", "nothing found sent outside the venue"),
    "duty_offsite_store": ("{store}（与场所数据相同 {copies} 条）", "{store} ({copies} copies of venue records)"),
    "duty_notice": ("告知、提示标识与单独同意", "Notice, signs and separate consent"),
    "duty_gaps": ("存在缺口", "gaps found"),
    "duty_no_gaps": ("未见缺口", "no gaps seen"),
    "duty_notice_facts": (
        "同意记录 {rows} 条（{register}）；无单独同意 {no_consent} 人，撤回同意后仍保留 {withdrawn} 人，"
        "先采集后签署同意 {before} 人，用途超出允许范围 {purpose} 人，无法读取的同意记录 {unreadable} 条。",
        "{rows} consent rows ({register}); {no_consent} persons without separate consent, "
        "{withdrawn} kept after withdrawing, {before} captured before consenting, {purpose} used "
        "beyond the allowed purposes, {unreadable} unreadable consent rows.",
    ),
    "duty_no_register": ("未提供同意记录", "no consent register given"),
    "duty_signs": (
        "数据无法显示采集点是否设置了显著的提示标识：请逐一核对每个摄像头处的提示标识和告知内容，"
        "并在采集前取得单独同意。",
        "Data cannot show whether prominent signs are posted: check the sign and notice at every "
        "camera, and obtain separate consent before capture.",
    ),
    "to_delete": ("待删除清单", "To-delete list"),
    "to_delete_intro": (
        "以下 {n} 条记录须删除：无单独同意、已撤回同意、超过保存期限，或位于场所以外（云端、其他主机）。"
        "已取得同意且在保存期限内的记录不在清单中。完整清单见附件（CSV、XLSX），数据库记录的删除语句见"
        " .sql 附件，须由企业审核后自行执行，本工具从不执行。清单 SHA-256：{digest}",
        "These {n} records must be deleted: no separate consent, consent withdrawn, retention "
        "exceeded, or kept outside the venue (cloud, other hosts). Consented records within the "
        "retention period are not listed. The whole list is in the annexes (CSV, XLSX); the "
        "DELETE statements are in the .sql annexes, for the business to review and run - the "
        "tool never runs them. List SHA-256: {digest}",
    ),
    "td_by_reason": ("按原因", "By reason"),
    "td_reason": ("删除原因", "Reason"),
    "td_records": ("记录数", "Records"),
    "td_state": ("状态", "State"),
    "td_action": ("处理方式", "Action"),
    "td_place": ("位置", "Place"),
    "td_persons": ("人员标识", "Person keys"),
    "td_basis": ("法律依据", "Legal basis"),
    "td_more": ("另有 {n} 条未在此列出，见附件。", "{n} more are in the annexes."),
    "td_tables": ("数据库删除语句", "Database DELETE statements"),
    "td_table_line": (
        "{database}：表 {table}，按主键 {columns} 删除 {n} 行",
        "{database}: table {table}, {n} rows by primary key {columns}",
    ),
    "td_remote": ("上传日志显示人脸数据曾被发送至 {remote}：该处副本须一并删除，并取得删除证明。",
                  "Upload logs show face data was sent to {remote}: delete the copies there and obtain proof."),
    "td_steps_heading": ("整改步骤", "Next steps"),
    "td_steps": (
        "1. 审核清单和 SQL 语句；2. 备份后在副本上试运行，核对删除行数；3. 对生产数据库执行 DELETE，"
        "随后执行 VACUUM（PostgreSQL 为 VACUUM FULL，MySQL 为 OPTIMIZE TABLE），使删除不可恢复；"
        "4. 删除清单中的文件、压缩包和云端副本，并取得云服务商的删除证明；5. 重新导出所有副本，"
        "运行 venue-audit verify-deletion，逐条确认“已删除”。",
        "1. Review the list and the SQL; 2. back up and try it on a copy, checking the rows "
        "deleted; 3. run the DELETEs on the live database, then VACUUM (PostgreSQL: VACUUM FULL; "
        "MySQL: OPTIMIZE TABLE) so nothing stays recoverable; 4. delete the listed files, "
        "archives and cloud copies, with proof from the cloud provider; 5. export every replica "
        "again and run venue-audit verify-deletion until every item reads 'deleted'.",
    ),
    "follow_up": ("删除前后对照", "Before and after the deletion"),
    "follow_up_intro": (
        "删除前：待删除清单 {n} 条（现存 {live}，已删除但可恢复 {recoverable}）。删除后复核（{after}）："
        "已删除 {deleted}，仍存在 {present}，仍可恢复 {still}，未复核 {unchecked}。",
        "Before: {n} items on the list ({live} live, {recoverable} deleted but recoverable). After "
        "({after}): {deleted} deleted, {present} still present, {still} still recoverable, "
        "{unchecked} not checked.",
    ),
    "follow_up_done": ("清单所列记录均已删除且不可恢复。", "Every listed record is deleted and not recoverable."),
    "follow_up_open": ("尚有记录未删除或仍可恢复，见下表。", "Some records are not deleted or still recoverable; see below."),
    "fu_before_live": ("删除前·现存", "Before: live"),
    "fu_before_recoverable": ("删除前·可恢复", "Before: recoverable"),
    "state_deleted": ("已删除", "deleted"),
    "state_still_present": ("仍存在", "still present"),
    "state_still_recoverable": ("仍可恢复", "still recoverable"),
    "state_not_checked": ("未复核", "not checked"),
    "fu_open_items": ("未完成的条目（序号对应待删除清单）", "Items not done (numbers as on the to-delete list)"),
    "fu_found_at": ("发现于", "Found at"),
    "fu_not_covered": ("删除后的数据中没有该位置", "its place was not among the after-state"),
}
