"""Which consent-log column means what, in Chinese or English.

Headers are compared after folding case and dropping spaces, underscores,
hyphens and brackets, so ``Signed At``, ``signed_at`` and ``签署时间（北京时间）``
all land on the same field. Columns that match nothing are still kept: the
linker may discover by their values that they hold a person key.
"""

from __future__ import annotations

import re

# field -> header spellings. Key fields name the kind of subject key they hold.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "consent_id": (
        "consent_id", "consentid", "record_id", "同意书编号", "授权编号", "授权书编号",
        "同意编号", "记录编号", "协议编号",
    ),
    "visitor_id": (
        "visitor_id", "visitorid", "visitor", "customer_id", "customerid", "person_id",
        "member_id", "subject_id", "user_id", "访客编号", "访客id", "访客号", "客户编号",
        "客户id", "人员编号", "人员id", "会员编号", "会员号", "用户id", "用户编号", "客户号",
    ),
    "phone": (
        "phone", "mobile", "phone_number", "mobile_number", "tel", "telephone", "cellphone",
        "手机号", "手机号码", "手机", "电话", "联系电话", "电话号码", "联系方式",
    ),
    "phone_hash": (
        "phone_sha256", "phone_md5", "phone_hash", "mobile_hash", "mobile_sha256",
        "手机号哈希", "手机哈希", "手机号sha256", "手机号md5", "手机号摘要", "电话哈希",
    ),
    "id_number": ("id_number", "id_card", "idcard", "身份证号", "身份证号码", "证件号码", "证件号"),
    "id_hash": (
        "id_hash", "id_sha256", "id_number_hash", "idcard_hash", "id_number_sha256",
        "身份证号哈希", "身份证哈希", "证件号哈希", "身份证号sha256", "身份证号摘要",
    ),
    "name": ("name", "full_name", "customer_name", "visitor_name", "姓名", "客户姓名", "访客姓名"),
    "signed_at": (
        "signed_at", "signed", "signed_time", "sign_time", "signature_time", "consent_time",
        "consent_date", "consented_at", "agreed_at", "签署时间", "签字时间", "同意时间",
        "授权时间", "签署日期", "签订时间", "签名时间", "授权日期",
    ),
    "withdrawn_at": (
        "withdrawn_at", "withdrawn", "withdrawal_time", "withdrawal_date", "withdraw_time",
        "revoked_at", "revocation_time", "撤回时间", "撤销时间", "撤回日期", "撤销日期",
        "撤回授权时间", "撤销授权时间", "取消授权时间", "撤回同意时间",
    ),
    "purpose": (
        "purpose", "purposes", "use", "usage", "用途", "目的", "使用目的", "处理目的", "授权用途",
        "使用用途",
    ),
    "photo": (
        "photo", "photo_path", "enrolment_photo", "enrollment_photo", "face_photo", "image",
        "picture", "照片", "登记照片", "人脸照片", "照片路径", "人脸图片", "头像",
    ),
    "template": (
        "template", "face_template", "embedding", "feature", "face_feature", "features",
        "特征", "人脸特征", "特征值", "模板", "人脸模板", "特征向量",
    ),
}

KEY_FIELDS = ("visitor_id", "phone", "phone_hash", "id_number", "id_hash")
TIME_FIELDS = ("signed_at", "withdrawn_at")

_NOISE = re.compile(r"[\s_\-()（）\[\]【】:：/]")
# Trailing qualifiers such as 签署时间(北京时间) are dropped before lookup.
_QUALIFIER = re.compile(r"[(（\[【].*?[)）\]】]")


def fold(header: object) -> str:
    text = _QUALIFIER.sub("", str(header)).casefold()
    return _NOISE.sub("", text)


_LOOKUP: dict[str, str] = {
    fold(spelling): name for name, spellings in SYNONYMS.items() for spelling in spellings
}


def field_for(header: object) -> str | None:
    """The canonical field a header names, or None when it is not recognised."""
    return _LOOKUP.get(fold(header))


def map_headers(headers: list[object]) -> dict[int, str]:
    """Column index -> field, the first column winning when two name the same field."""
    mapping: dict[int, str] = {}
    taken: set[str] = set()
    for index, header in enumerate(headers):
        field = field_for(header) if header is not None else None
        if field and field not in taken:
            mapping[index] = field
            taken.add(field)
    return mapping


def score(headers: list[object]) -> int:
    """How much a header row looks like a consent log: recognised fields, signed time weighted."""
    fields = set(map_headers(headers).values())
    if not fields:
        return 0
    bonus = 2 if "signed_at" in fields else 0
    has_subject = bool(fields & {*KEY_FIELDS, "photo", "template"})
    return len(fields) + bonus + (1 if has_subject else 0)
