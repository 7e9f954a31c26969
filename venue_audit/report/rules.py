"""Report titles for finding rules, and the order severities are listed in.

The rule table itself (condition -> finding -> citations) belongs to
``venue_audit.findings``; the report only needs a readable title for each rule
name it meets, and prints the rule name itself for any rule it does not know.
"""

from __future__ import annotations

SEVERITY_ORDER = ("high", "medium", "low", "info")

RULE_TITLES: dict[str, tuple[str, str]] = {
    "no-consent": ("存储人脸信息但无对应的单独同意记录",
                   "Face data stored with no matching separate consent"),
    "withdrawn-retained": ("撤回同意后仍保留人脸信息", "Face data retained after consent was withdrawn"),
    "expired-retained": ("超过留存期限仍保留人脸信息", "Face data retained past the retention period"),
    "raw-images-kept": ("保存人脸原始图像（而非仅特征）", "Raw face images kept, not only templates"),
    "no-notice": ("无采集区域告知或标识的证据", "No evidence of notice or signage for the capture zone"),
    "non-security-use": ("人脸信息用于非公共安全目的（如佣金结算、客户分类）",
                         "Face data used for purposes other than public security"),
    "offsite-upload": ("本地人脸信息上传至云端或异地", "Local face data uploaded to a cloud or off-site"),
    "filing-threshold": ("存储人脸信息超过 10 万人且未备案",
                         "Face data of 100,000 or more persons without filing"),
    "no-pia": ("无个人信息保护影响评估或处理记录", "No impact assessment or processing records"),
    "no-encryption": ("未加密或无访问控制", "No encryption or access control"),
    "frt-only-option": ("人脸识别为唯一验证方式", "Face recognition is the only option offered"),
    "deleted-recoverable": ("声称删除后数据仍可恢复", "Data still recoverable after the claimed deletion"),
}


def rule_titles(rule: str) -> tuple[str, str]:
    return RULE_TITLES.get(rule, (rule, rule))


def severity_rank(severity: str) -> int:
    return SEVERITY_ORDER.index(severity) if severity in SEVERITY_ORDER else len(SEVERITY_ORDER)
