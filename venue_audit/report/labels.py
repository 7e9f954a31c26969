"""The report's names for the tool's own identifiers: store kinds, custody actions, settings.

case.db and the annexes keep the identifiers (``sqlite``, ``acquire.start``,
``merge_spreads``) so scripts can rely on them; the PDF names them in its language.
An identifier missing here is printed as it is, which a test of the demo report catches.
"""

from __future__ import annotations

# What a face-data store is (stores.kind).
STORE_KINDS: dict[str, tuple[str, str]] = {
    "folder": ("文件夹", "folder"),
    "archive": ("压缩包", "archive"),
    "sqlite": ("SQLite 数据库", "SQLite database"),
    "sql-dump": ("SQL 转储文件", "SQL dump"),
    "csv": ("CSV 表格", "CSV table"),
    "tsv": ("TSV 表格", "TSV table"),
    "xlsx": ("Excel 表格", "Excel workbook"),
    "json": ("JSON 文件", "JSON file"),
    "jsonl": ("JSON Lines 文件", "JSON Lines file"),
    "xml": ("XML 文件", "XML file"),
    "log": ("日志", "log"),
    "npy": ("NumPy 数组", "NumPy array"),
    "npz": ("NumPy 数组包", "NumPy bundle"),
    "pickle": ("pickle 序列化文件（未加载）", "pickle (never loaded)"),
    "carved": ("雕刻恢复的数据", "carved data"),
    "device-events": ("设备事件记录", "device events"),
    "gat1400": ("GA/T 1400 视图库数据", "GA/T 1400 view library"),
    "hikvision-disk": ("海康威视录像机硬盘", "Hikvision recorder disk"),
    "hikvision-index": ("海康威视存储索引", "Hikvision storage index"),
    "hikvision-pic": ("海康威视图片包", "Hikvision picture pack"),
    "hikvision-video": ("海康威视录像文件", "Hikvision recording"),
    "dahua-dhfs": ("大华录像机硬盘（DHFS）", "Dahua recorder disk (DHFS)"),
    "database": ("数据库", "database"),
}

# Which system a store was recognised as, when none was (stores.profile).
PROFILES: dict[str, tuple[str, str]] = {
    "generic": ("通用（未识别）", "generic (not recognised)"),
    "": ("通用（未识别）", "generic (not recognised)"),
}

# What each custody event records (custody.action).
CUSTODY_ACTIONS: dict[str, tuple[str, str]] = {
    "handover": ("检材移交", "evidence handed over"),
    "case.new": ("建立案件", "case created"),
    "case.amend": ("修改案件信息", "case details amended"),
    "acquire.start": ("开始固定检材", "acquisition started"),
    "acquire": ("固定检材（计算哈希、建立清单）", "evidence acquired (hashed, listed)"),
    "acquire.database": ("固定在线数据库", "live database acquired"),
    "acquire.database.listing": ("列出在线数据库的表", "live database tables listed"),
    "verify-manifest": ("复核电子数据清单", "evidence list re-checked"),
    "offsite.mark": ("标记场所以外的检材", "source marked off-site"),
    "scan.start": ("开始扫描", "scan started"),
    "scan.end": ("扫描完成", "scan finished"),
    "identify": ("人员识别（人脸聚类）", "persons counted (face clustering)"),
    "assess": ("同意与留存核查", "consent and retention checked"),
    "assess.deletion": ("删除验证结论记入检验发现", "deletion verdict recorded as a finding"),
    "verify-deletion.baseline": ("删除验证：记录删除前状态", "deletion check: baseline recorded"),
    "verify-deletion": ("删除验证", "deletion verified"),
    "to-delete": ("生成待删除清单", "to-delete list written"),
    "report": ("出具报告", "report written"),
    "export": ("导出数据", "data exported"),
    "browse": ("浏览案件数据", "case data browsed"),
    "custody.verify": ("核验监督保管记录", "custody log verified"),
    "interrupted": ("操作被中断", "interrupted"),
    "failed": ("操作失败", "failed"),
}

# The machine the examination ran on (Methodology.environment).
ENVIRONMENT: dict[str, tuple[str, str]] = {
    "python": ("Python 版本", "Python"),
    "os": ("操作系统", "operating system"),
    "machine": ("处理器架构", "machine"),
    "sqlite": ("SQLite 版本", "SQLite"),
    "host": ("主机名", "host"),
}

# Settings of the face engine and of the person count (Methodology.parameters; a clustering
# setting is ``<space>.<name>``).
PARAMETERS: dict[str, tuple[str, str]] = {
    "detector": ("人脸检测器", "Face detector"),
    "min_face_size": ("最小人脸尺寸（像素）", "Minimum face size (px)"),
    "upsample": ("检测上采样次数", "Detector upsampling"),
    "match_threshold": ("同一人判定阈值", "Same-person threshold"),
    "threshold": ("阈值", "Threshold"),
    "clustering": ("聚类方法", "Clustering method"),
    "seed": ("随机种子", "Random seed"),
    "retention_days": ("留存期限（天）", "Retention period (days)"),
    "encoder": ("人脸特征提取实现", "Face encoder"),
    "encoder_model": ("量化特征模型及其生成工具版本", "Quantised encoder model and its maker"),
    "max_pixels": ("单张图像像素上限", "Pixel limit per image"),
    "photo_max_side": (
        "大图检测前缩小至的最长边（像素，0 为不缩小）",
        "Longest side a photo is searched at (px, 0: full size)",
    ),
    "model_cache_dir": ("模型转换缓存目录", "Converted-model cache folder"),
    "crop_fast_path": ("整图即人脸的小图直接提取特征", "Whole-picture crops encoded directly"),
    "crop_max_side": ("按小图处理的最长边（像素）", "Longest side of a crop (px)"),
    "crop_min_fill": ("小图中人脸的最小占比", "Minimum face share of a crop"),
    "crop_detector": ("小图人脸检测器", "Crop face detector"),
    "grey_detection": ("在灰度图上检测人脸", "Detection on grey levels"),
    "space": ("特征空间", "Embedding space"),
    "metric": ("距离度量", "Distance metric"),
    "link_threshold": ("直接连接阈值", "Link threshold"),
    "merge_threshold": ("合并阈值", "Merge threshold"),
    "k": ("近邻数", "Neighbours (k)"),
    "exact_limit": ("精确近邻搜索的人脸数上限", "Faces searched exactly up to"),
    "tables": ("近似搜索的哈希表数", "Approximate-search tables"),
    "probes": ("近似搜索的探测数", "Approximate-search probes"),
    "refine": ("人员质心复查轮数", "Centroid re-search rounds"),
    "cells": ("近似索引的单元数", "Approximate-index cells"),
    "calibrated": ("阈值已校准", "Thresholds calibrated"),
    "adaptive": ("按本案证据自适应校准阈值", "Thresholds calibrated on this evidence"),
    "merge_spreads": ("合并阈值（冒认距离离散度的倍数）", "Merge threshold (impostor spreads)"),
    "merge_by_distance": ("允许按距离合并", "Merge by distance"),
    "index": ("近邻索引", "Neighbour index"),
    "band": ("阈值敏感性取值范围", "Sensitivity sweep"),
    "band_steps": ("阈值敏感性取值个数", "Sensitivity steps"),
}

# Parameter values that are words, not numbers or names.
VALUES: dict[str, tuple[str, str]] = {
    "True": ("是", "yes"),
    "False": ("否", "no"),
    "None": ("未设置", "not set"),
    "euclidean": ("欧氏距离", "Euclidean"),
    "cosine": ("余弦距离", "cosine"),
    "exact": ("精确搜索", "exact"),
    "none": ("无", "none"),
}

# Steps between evidence bytes and what was counted (Methodology.transformations).
TRANSFORMATIONS: dict[str, tuple[str, str]] = {
    "archive_members": ("压缩包成员读取", "Archive members"),
    "wal_replay": ("SQLite 预写日志回放", "SQLite WAL replay"),
    "free_pages": ("SQLite 空闲页解析", "SQLite free pages"),
    "journal": ("回滚日志解析", "Rollback journal"),
    "carving": ("数据雕刻", "Carving"),
    "recovered": ("其他方式恢复", "Other recovery"),
    "template_decoding": ("人脸特征模板解码", "Template decoding"),
    "video_frames": ("视频抽帧", "Video frames"),
}

# How a baseline record was recognised after a deletion (verify.matching).
MATCHES: dict[str, tuple[str, str]] = {
    "exact": ("内容完全相同（SHA-256）", "exact (SHA-256)"),
    "perceptual (PDQ)": ("感知哈希相近（PDQ）", "perceptual (PDQ)"),
    "perceptual (pHash)": ("感知哈希相近（pHash）", "perceptual (pHash)"),
    "same capture (face)": ("同一次采集的人脸", "same capture (face)"),
    "same person": ("同一人的人脸", "same person"),
}

# Device face events on the timeline (venue_audit.sources.device_events), by their action.
EVENT_KINDS: dict[str, tuple[str, str]] = {
    "face capture": ("人脸抓拍", "face capture"),
    "face recognition": ("人脸识别", "face recognition"),
    "face detection": ("人脸检测", "face detection"),
    "door face recognition": ("门禁人脸识别", "door face recognition"),
}
