"""The methodology paragraph of the report for the person count, in Chinese and English.

A count of persons is only evidence if another examiner can redo it and say how far it may be
off. :func:`court_statement` is the part an examiner repeats in court: two sentences, the count
with its interval and lower bound, then how they were obtained. :func:`describe` adds, per
embedding space, the method with every parameter and the seed.
"""

from __future__ import annotations

from typing import Any, Literal

from venue_audit.persons.clustering import ClusteringResult

STATEMENT_ZH = (
    "经聚类，本案留存人脸分为 {distinct} 组；仅含一两张人脸的组可能是某人被拆出的少数人脸，"
    "按其与最近的多次出现人员组的距离及本案人员重复出现的比例逐组估计并扣除，再按实测的合并比例及本案人员的密集程度（刚好未达合并标准的相邻组之多少）计入被误合并的人后，"
    "估计对应 {estimate} 个不同自然人，依据本方法在已知真实身份的人脸数据上实测的误差，"
    "真实人数应在 {low} 至 {high} 人之间，且至少为 {lower} 人。"
    "分组由人脸特征按平均连接聚类得出，每张人脸的判别尺度均以本案证据中其他人脸校准"
    "（小图、灰度、模糊人脸不按清晰照片的标准判断），同一系统人员编号或同一条记录中的人脸"
    "直接归为同一人。"
)
STATEMENT_EN = (
    "By clustering, the faces kept in this case fall into {distinct} groups; a group of one or "
    "two faces may be a few faces split off from another person, so each was weighed by its "
    "distance to the nearest group of a returning person and by how often the people of this case "
    "came back, and with the measured merge rate, scaled by how crowded this case is (how many "
    "groups lie just short of merging), the groups stand for an estimated {estimate} "
    "distinct persons; from the errors of this method measured on faces of known identity, the "
    "true number lies between {low} and {high}, and is at least {lower}. The groups come from "
    "average-linkage clustering of face embeddings, each face judged on a scale calibrated against "
    "the other faces of this evidence (small, grey or blurred crops are not held to a sharp "
    "photo's standard), and faces sharing a system's person id or one record are one person "
    "outright."
)


def court_statement(persons: dict[str, Any], lang: Literal["zh", "en"] = "zh") -> str:
    """Two sentences from summary.json's ``persons`` block: the count, then how it was made."""
    low, high = persons.get("interval") or [persons["distinct"], persons["distinct"]]
    template = STATEMENT_ZH if lang == "zh" else STATEMENT_EN
    return template.format(
        distinct=persons["distinct"],
        estimate=persons.get("estimate", persons["distinct"]),
        low=low,
        high=high,
        lower=persons.get("lower_bound", persons["distinct"]),
    )


def _params_line(result: ClusteringResult) -> str:
    p = result.parameters
    if p.get("adaptive"):
        thresholds = f"merge_spreads={p['merge_spreads']}"
    else:
        thresholds = f"link_threshold={p['link_threshold']}, merge_threshold={p['merge_threshold']}"
    return (
        f"space={result.space}, metric={p['metric']}, {thresholds}, k={p['k']}, "
        f"index={p['index']}, seed={p['seed']}"
    )


_METRIC_ZH = {"euclidean": "欧氏距离", "cosine": "余弦距离"}
_INDEX_ZH = {"exact": "精确搜索", "none": "无"}


def _params_line_zh(result: ClusteringResult) -> str:
    """The same parameters as :func:`_params_line`, named in Chinese for the zh report."""
    p = result.parameters
    if p.get("adaptive"):
        thresholds = f"合并阈值 {p['merge_spreads']} 个冒认离散度"
    else:
        thresholds = f"直接连接阈值 {p['link_threshold']}，合并阈值 {p['merge_threshold']}"
    return (
        f"特征空间 {result.space}，距离度量 {_METRIC_ZH.get(p['metric'], p['metric'])}，"
        f"{thresholds}，近邻数 {p['k']}，近邻索引 {_INDEX_ZH.get(p['index'], p['index'])}，"
        f"随机种子 {p['seed']}"
    )


def describe(result: ClusteringResult, lang: Literal["zh", "en"] = "zh") -> str:
    """Methodology paragraph for one embedding space's person count."""
    low, high = result.interval
    if lang == "en":
        return (
            f"Distinct persons in space '{result.space}' (including those only in deleted data): "
            f"{result.n_persons} groups "
            f"(estimate {result.estimate}, interval {low}-{high}, at least {result.lower_bound}). "
            f"Method: {result.method} Parameters: {_params_line(result)}."
        )
    if not result.parameters.get("merge_by_distance", True):
        caveat = "该模型未经校准，模板仅按证据中的人员标识合并，从不按距离合并。"
    elif not result.parameters["calibrated"]:
        caveat = "该模型阈值未经校准，人数仅供参考。"
    else:
        caveat = ""
    method = (
        "先将内容完全相同的特征向量计为一次，按数据中的人员标识（visitor_id、personId、PIN 等）"
        "及同一记录强制合并；再以本案证据自身校准每张人脸的冒认距离（与其他人脸距离的均值与离散度），"
        "按平均连接（全部交叉距离的均方根）合并低于其冒认均值足够多个离散度的组。"
        if result.parameters.get("adaptive")
        else "先将内容完全相同的特征向量计为一次，按数据中的人员标识及同一记录强制合并；"
        "再将每张人脸与其近邻中距离小于连接阈值者相连，并按平均连接合并小于合并阈值的组。"
    )
    return (
        f"特征空间“{result.space}”中的不同人数（含仅见于已删除数据者）：{result.n_persons} 组"
        f"（估计 {result.estimate} 人，区间 {low}–{high} 人，至少 {result.lower_bound} 人）。"
        f"方法：{method}{caveat}参数：{_params_line_zh(result)}。"
    )
