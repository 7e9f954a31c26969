"""The report's methodology paragraph: enough to redo the count, in Chinese and English."""

from __future__ import annotations

from venue_audit.persons import cluster_space, config_for_space, make_planted_set
from venue_audit.persons.methodology import court_statement, describe


def test_paragraph_names_count_interval_parameters_and_seed_in_both_languages():
    planted = make_planted_set(n_persons=200, seed=5)
    result = cluster_space(planted.embeddings)
    zh = describe(result, "zh")
    en = describe(result, "en")
    low, high = result.interval
    for text in (zh, en):
        assert str(result.n_persons) in text
        assert f"{low}" in text and f"{high}" in text and str(result.lower_bound) in text
    assert "seed=0" in en and "merge_spreads=-2.8" in en and "index=exact" in en
    # the zh report names the same parameters in Chinese
    assert "随机种子 0" in zh and "合并阈值 -2.8 个冒认离散度" in zh and "近邻索引 精确搜索" in zh
    assert "seed=" not in zh
    assert "不同人数" in zh and "平均连接" in zh and "冒认" in zh
    assert "impostor scale" in en


def test_the_court_statement_is_two_sentences_with_groups_estimate_interval_and_lower_bound():
    persons = {"distinct": 331, "estimate": 305, "interval": [271, 342], "lower_bound": 240}
    zh = court_statement(persons, "zh")
    assert zh.count("。") == 2 and zh.endswith("。")
    assert "分为 331 组" in zh and "305 个不同自然人" in zh
    assert "271 至 342 人之间" in zh and "至少为 240 人" in zh
    assert "拆出" in zh and "合并" in zh  # what the estimate corrects, in words
    en = court_statement(persons, "en")
    assert "331 groups" in en and "305 distinct persons" in en
    assert "between 271 and 342" in en and "at least 240" in en


def test_the_court_statement_without_an_estimate_states_the_groups():
    zh = court_statement({"distinct": 5, "interval": [5, 5], "lower_bound": 5}, "zh")
    assert "分为 5 组" in zh and "估计对应 5 个不同自然人" in zh


def test_unknown_model_is_flagged_as_joined_by_keys_only():
    planted = make_planted_set(n_persons=50, seed=5)
    result = cluster_space(planted.embeddings, config=config_for_space("vendor-blob-256"))
    assert "未经校准" in describe(result, "zh")
    assert "never by distance" in describe(result, "en")
