from __future__ import annotations

import pytest

from studydeck.naming import acronym, method_label, short_names


@pytest.mark.parametrize(
    ("contribution", "label"),
    [
        ("N-3 Net：把不可差分的non-local KNN匹配", "N-3 Net"),
        ("MPRNet：性能很强的baseline结构", "MPRNet"),
        ("**DMENet**: predicts defocus blur", "DMENet"),
        ("MFQEv2：相邻帧具有相关性", "MFQEv2"),
        ("交互式图像复原，使得复原强度可控", None),
        ("LN：针对每个sample处理", "LN"),
        ("2019: a year", None),
        ("This is a very long sentence that is not a label at all: x", None),
    ],
)
def test_method_label(contribution: str, label: str | None) -> None:
    assert method_label(contribution) == label


def test_acronym_skips_small_words() -> None:
    assert acronym("Layer Normalization") == "LN"
    assert acronym("Vision Transformer with Deformable Attention") == "VTDA"
    assert acronym("einops") is None


def test_short_names_abbr_first_without_duplicates() -> None:
    assert short_names("DAT", "DAT：类似显著性") == ("DAT",)
    assert short_names("", "MPRNet：性能很强") == ("MPRNet",)
    assert short_names("RBQE", "MPRNet：x") == ("RBQE", "MPRNet")


def test_title_words_skip_small_words_and_keep_cjk_runs() -> None:
    from studydeck.naming import title_words

    assert title_words("Bringing Old Films Back to Life") == (
        "bringing",
        "old",
        "films",
        "back",
        "life",
    )
    assert title_words("动态分辨率编码 for the Web") == ("web", "动态分辨率编码")
