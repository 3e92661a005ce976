from quotery.core.templatetags.brand import DEFAULT_BRAND, brand_colour


def test_a_valid_hex_colour_passes_through() -> None:
    assert brand_colour("#A1b2C3") == "#A1b2C3"


def test_anything_else_falls_back_to_the_default() -> None:
    for hostile in ["red", "#fff", "#1f6feb; background:url(x)", "", None, "#1f6feb\n"]:
        assert brand_colour(hostile) == DEFAULT_BRAND
