"""The report's methodology paragraph: enough to redo the count, in Chinese and English."""

from __future__ import annotations

from venue_audit.persons import cluster_space, config_for_space, make_planted_set
from venue_audit.persons.methodology import describe


def test_paragraph_names_count_band_parameters_and_seed_in_both_languages():
    planted = make_planted_set(n_persons=200, seed=5)
    result = cluster_space(planted.embeddings)
    zh = describe(result, "zh")
    en = describe(result, "en")
    low, high = result.band
    for text in (zh, en):
        assert str(result.n_persons) in text
        assert f"{low}" in text and f"{high}" in text
        assert "seed=0" in text and "merge_threshold=0.6" in text and "index=exact" in text
    assert "不同人数" in zh and "平均连接" in zh and "Chinese whispers" in zh
    assert "average (RMS) cross distance" in en


def test_unknown_model_is_flagged_as_uncalibrated():
    planted = make_planted_set(n_persons=50, seed=5)
    result = cluster_space(planted.embeddings, config=config_for_space("vendor-blob-256"))
    assert "未经校准" in describe(result, "zh")
    assert "not calibrated" in describe(result, "en")
