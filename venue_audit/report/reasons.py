"""The report's words for what the tool could not read and why a person has their status.

Readers, the face engine and the consent check describe each problem in an English
sentence of their own, and give it a stable ``code`` with the ``params`` the sentence
carries (:class:`venue_audit.sources.base.Problem`, ``LogProblem``, the consent status's
``Note``). The report words a code from this one table, in Chinese and English, instead
of translating sentences; a code missing here is shown in the tool's own words, labelled
as such (:func:`venue_audit.report.i18n.reason_text`).

A value quoted from a program's error message (``{error}``, ``{detail}``) stays as the
program wrote it and is labelled 原始错误信息 / 原始信息: it is evidence of what happened,
not the report's prose.
"""

from __future__ import annotations

REASONS: dict[str, tuple[str, str]] = {
    # -- acquisition: entries recorded in the manifest but never read -------------------------
    "acquire.symlink": ("符号链接：已记录，未跟随", "symlink: recorded, not followed"),
    "acquire.fifo": ("命名管道（FIFO）：已记录，未读取", "fifo: recorded, not read"),
    "acquire.socket": ("套接字：已记录，未读取", "socket: recorded, not read"),
    "acquire.device": ("设备文件：已记录，未读取", "device: recorded, not read"),
    "acquire.unreadable": ("无法读取（原始错误信息：{error}）", "{error}"),
    # -- the scan ------------------------------------------------------------------------------
    "scan.unidentified": (
        "无法识别文件类型（原始错误信息：{error}）",
        "could not be identified: {error}",
    ),
    "scan.reader_stopped": (
        "{reader} 读取程序中途停止，其余内容未读取（原始错误信息：{error}）",
        "{reader} reader stopped: {error}",
    ),
    "scan.table_unreadable": (
        "数据表未能读完（原始错误信息：{error}）",
        "table could not be read to the end: {error}",
    ),
    "read.failed": ("读取失败（原始错误信息：{error}）", "read failed: {error}"),
    "line.too_long": ("该行超过 {limit} 字节，已跳过", "line longer than {limit} bytes, skipped"),
    "json.body_too_long": (
        "JSON 正文跨越 {lines} 行仍未结束，未读取",
        "a JSON body runs past {lines} lines, not read",
    ),
    "json.body_unterminated": ("文件在 JSON 正文中间结束", "the file ends inside a JSON body"),
    "log.read_stopped": (
        "日志未能读完（原始错误信息：{error}）",
        "log could not be read to the end: {error}",
    ),
    "carving.too_large": (
        "{size} 字节，超过数据雕刻上限 {limit} 字节，未雕刻",
        "{size} bytes: larger than the carving limit of {limit}, not carved",
    ),
    # -- face analysis (codes are faces.<FaceInputError.reason>) ------------------------------
    "faces.bad-input": ("无法分析该输入（原始信息：{detail}）", "{detail}"),
    "faces.empty": ("文件为空（0 字节）", "{detail}"),
    "faces.not-an-image": ("不是可解码的图像格式", "{detail}"),
    "faces.truncated": ("图像数据不完整（文件被截断），无法解码", "{detail}"),
    "faces.corrupt": ("图像数据损坏，无法解码", "{detail}"),
    "faces.too-many-pixels": (
        "图像声明的像素数超过上限（疑似解压炸弹），未解码",
        "{detail}",
    ),
    "faces.undecodable-video": ("视频无法解码", "{detail}"),
    "faces.analysis-failed": ("图像已解码，但人脸分析失败（原始错误信息：{detail}）", "{detail}"),
    "faces.no-detectable-face": (
        "按人脸存储的图片中未检出人脸（仍为存储的图片，已列出位置供人工查看）",
        "{detail}",
    ),
    # -- recorders (CCTV) ----------------------------------------------------------------------
    "cctv.jpeg_undecodable": ("该位置的 JPEG 图像无法解码", "JPEG does not decode"),
    "hikvision.index_too_large": (
        "{size} 字节，大于任何海康威视索引文件，未读取",
        "{size} bytes: larger than any Hikvision index, not read",
    ),
    "hikvision.pack_too_large": (
        "{size} 字节，超过图片包大小上限，未读取",
        "{size} bytes: larger than the pack limit, not read",
    ),
    "hikvision.record_without_jpeg": (
        "{index} 第 {record} 条记录指向字节 {start}–{end}，该处无完整 JPEG（可能已被覆盖）",
        "{index} record {record} points at bytes {start}–{end} that hold no complete JPEG "
        "(overwritten?)",
    ),
    "hikvision.segment_outside": (
        "{index} 第 {slot} 段：偏移 {start}–{end} 超出文件范围",
        "{index} segment {slot}: offsets {start}–{end} outside the file",
    ),
    "hikvision.no_btree": ("{name}：无 HIKBTREE 签名", "{name}: no HIKBTREE signature"),
    "hikvision.no_data_area": (
        "主扇区给出的数据区（{blocks} 个、每个 {block_size} 字节、起于 {video_area}）不在本镜像内，已对整个镜像做雕刻恢复",
        "master sector names no data block on this image ({blocks} blocks of {block_size} bytes "
        "from {video_area}): the whole image is carved",
    ),
    "dahua.no_fragments": ("超级块未给出任何数据片段", "superblock gives no fragments"),
    # -- NumPy arrays ------------------------------------------------------------------------
    "npy.bad_header": ("NumPy 数组文件头损坏或不完整，未读取", "damaged .npy header"),
    "npy.bad_magic": ("不是 .npy 文件（文件头标识不符）", "not an .npy file (bad magic)"),
    "npy.unknown_version": ("未知的 .npy 版本 {version}", "unknown .npy version {version}"),
    "npy.header_too_large": (
        "文件头 {size} 字节，超过上限 {limit} 字节，拒绝读取",
        "header of {size} bytes is larger than {limit}: refused",
    ),
    "npy.not_vectors": (
        "数组形状 {shape} 不是向量列表，未读取",
        "shape {shape} is not a list of vectors; not read",
    ),
    "npy.object_array": (
        "对象数组（|O）：其元素为 pickle 序列化数据，拒绝读取，从不加载",
        "object array (|O): its items are pickles; refused and never loaded",
    ),
    "npy.not_numeric": (
        "数据类型 {dtype} 不是数值向量类型，未读取",
        "dtype {dtype} is not a numeric vector type; not read",
    ),
    "npy.rows_too_long": (
        "每行 {size} 字节，过长，未读取",
        "rows of {size} bytes are too long; not read",
    ),
    "npy.fortran_too_large": (
        "按列存储（Fortran 顺序）的数组超过 256 MiB，未读取",
        "Fortran-ordered array over 256 MiB; not read",
    ),
    "npy.truncated": (
        "数组被截断：声明 {declared} 行，数据提前结束",
        "array truncated: {declared} rows declared, data ends early",
    ),
    "npy.truncated_rows": (
        "数组被截断：声明 {declared} 行，完整的仅 {present} 行",
        "array truncated: {declared} rows declared, {present} complete rows present",
    ),
    "npz.unreadable": (
        "不是可读取的 .npz 文件（原始错误信息：{error}）",
        "not a readable .npz: {error}",
    ),
    "npz.member_oversized": (
        "成员大于其文件头声明的大小，未读取",
        "member is larger than its header declares; not read",
    ),
    "npz.member_unreadable": (
        "成员无法读取（原始错误信息：{error}）",
        "member unreadable: {error}",
    ),
    # -- pickles: never loaded -----------------------------------------------------------------
    "pickle.not_loaded": (
        "pickle 文件未加载（从不反序列化），仅按其操作码描述",
        "pickle not loaded (never unpickled); described from its opcodes only",
    ),
    "pickle.dangerous": (
        "pickle 文件未加载（从不反序列化），仅按其操作码描述；其中引用 {names}，反序列化将执行这些代码",
        "pickle not loaded (never unpickled); described from its opcodes only; it references "
        "{names}: unpickling it would run that code",
    ),
    "pickle.walk_stopped": (
        "操作码遍历中止（原始错误信息：{error}）",
        "opcode walk stopped: {error}",
    ),
    "pickle.too_many_opcodes": (
        "操作码超过 {limit} 个，遍历停止",
        "more than {limit} opcodes: walk stopped",
    ),
    # -- SQL dumps ------------------------------------------------------------------------------
    "dump.unbalanced_quote": (
        "引号不配对：跳过该语句直至下一条语句",
        "unbalanced quote: statement skipped up to the next statement",
    ),
    "dump.statement_too_long": (
        "语句超过 {limit} 字节，已跳过",
        "statement longer than {limit} bytes, skipped",
    ),
    "dump.statement_cut": (
        "语句被过长的行打断，已跳过",
        "statement interrupted by an over-long line, skipped",
    ),
    "dump.read_stopped": (
        "转储文件未能读完（原始错误信息：{error}）",
        "dump could not be read to the end: {error}",
    ),
    "dump.unterminated": (
        "文件结束时语句仍未终止（转储文件可能被截断）",
        "statement not terminated at end of file (truncated dump?)",
    ),
    "dump.malformed_values": (
        "VALUES 中的行无法解析，本语句其余部分已跳过（解析信息原文：{detail}）",
        "{detail}; rest of statement skipped",
    ),
    "dump.copy_width": (
        "COPY 行有 {fields} 个字段，应为 {expected} 个，已跳过",
        "COPY row has {fields} fields, expected {expected}; skipped",
    ),
    "dump.copy_unterminated": (
        "COPY 数据块未以 \\. 结束（转储文件可能被截断）",
        "COPY block not terminated by \\. (truncated dump?)",
    ),
    "dump.insert_not_understood": (
        "无法解析的 INSERT 语句，已跳过",
        "INSERT statement not understood; skipped",
    ),
    "dump.copy_format": (
        "CSV 或二进制格式的 COPY 数据块不读取，已跳过",
        "COPY in CSV/binary format is not read; block skipped",
    ),
    "dump.rows_not_consumed": (
        "{rows} 行未被扫描程序读取",
        "{rows} rows were not consumed by the scanner",
    ),
    # -- the consent register ------------------------------------------------------------------
    "consent.no_subject": (
        "既无对象标识（访客编号、手机号、身份证号哈希）也无登记人脸，无法与人员关联",
        "no subject key (visitor id, phone, ID hash) and no enrolment face",
    ),
    "consent.no_signed_time": ("无签署时间", "no signed time"),
    "consent.unreadable_signed_time": (
        "签署时间 {value} 无法识别",
        "unreadable signed time {value}",
    ),
    "consent.unreadable_withdrawal": (
        "撤回时间 {value} 无法识别（按已撤回计）",
        "unreadable withdrawal time {value} (counted as withdrawn)",
    ),
    "consent.enrolment_template_unusable": (
        "登记人脸特征模板不可用（原始错误信息：{error}）",
        "enrolment template unusable: {error}",
    ),
    "consent.enrolment_photo_unusable": (
        "登记人脸照片不可用（原始错误信息：{error}）",
        "enrolment photo unusable: {error}",
    ),
    "consent.enrolment_template_unreadable": (
        "登记人脸特征模板无法读取（原始错误信息：{error}）",
        "enrolment template unreadable: {error}",
    ),
    "consent.enrolment_photo_unreadable": (
        "登记人脸照片无法读取（原始错误信息：{error}）",
        "enrolment photo unreadable: {error}",
    ),
    "consent.encoding": (
        "既不是 UTF-8 也不是 GB18030 编码，无法解码的字节已替换",
        "not UTF-8 or GB18030; undecodable bytes replaced",
    ),
    "consent.not_an_object": ("该条不是键值记录（对象）", "not an object"),
    "consent.reading_stopped": (
        "读取 {rows} 行后中止（原始错误信息：{error}）",
        "reading stopped after {rows} rows: {error}",
    ),
    "consent.no_face_matcher": (
        "登记人脸未比对：没有人脸比对程序",
        "enrolment face not compared: no face matcher",
    ),
    "consent.face_key_disagree": (
        "登记人脸与人员 {person} 匹配，但按标识关联的是人员 {linked}",
        "enrolment face matches person {person} but the key links {linked}",
    ),
    "consent.photo_not_encoded": ("登记照片未提取人脸特征", "enrolment photo not encoded"),
    "consent.no_face_in_photo": (
        "登记照片中没有可用的人脸",
        "no usable face in the enrolment photo",
    ),
    "consent.enrolment_face_unusable": (
        "登记人脸不可用（原始错误信息：{error}）",
        "enrolment face unusable: {error}",
    ),
    # -- why a person has their consent status ------------------------------------------------
    "consent.note.no_row": ("未找到关联的同意记录", "no consent row linked"),
    "consent.note.no_signed_time": (
        "关联的同意记录没有可识别的签署时间",
        "linked consent rows have no readable signed time",
    ),
    "consent.note.signed_after": (
        "关联的同意记录签署于统计截止日期 {as_of} 之后",
        "linked consent signed after the as-of date {as_of}",
    ),
    "consent.note.withdrawn": (
        "同意记录 {consent} 已于 {when} 撤回，数据仍被保存",
        "consent {consent} withdrawn at {when}; data still held",
    ),
    "consent.note.withdrawn_unknown_time": (
        "同意记录 {consent} 已撤回（撤回时间无法识别），数据仍被保存",
        "consent {consent} withdrawn at an unreadable time; data still held",
    ),
    "consent.note.expired": (
        "截至 {as_of}，{count} 条采集记录已超过 {days} 天，最早一条采集于 {oldest}",
        "{count} capture(s) older than {days} days at {as_of}, oldest {oldest}",
    ),
    "consent.note.covered": ("由同意记录 {consents} 覆盖", "covered by consent {consents}"),
    "consent.note.captured_before": (
        "首次采集（{first}）早于同意书签署（{signed}）",
        "first capture {first} before consent signed {signed}",
    ),
    "consent.note.purpose_outside_policy": (
        "同意的用途超出政策允许的范围：{purposes}",
        "consented purpose outside the policy: {purposes}",
    ),
    "consent.note.used_outside_policy": (
        "实际用途超出政策允许的范围：{purposes}",
        "used for a purpose outside the policy: {purposes}",
    ),
    "consent.note.used_beyond_consent": (
        "实际用途超出同意的用途：{purposes}",
        "used beyond the consented purposes: {purposes}",
    ),
}

# Which stage of the examination met the problem.
STAGE_LABELS: dict[str, tuple[str, str]] = {
    "acquire": ("固定", "acquisition"),
    "scan": ("扫描", "scan"),
    "faces": ("人脸分析", "face analysis"),
    "assess": ("同意核查", "consent check"),
}

ORIGINAL_LABEL = ("（工具原文）", "(the tool's own words) ")
