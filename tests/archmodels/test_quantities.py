import pytest

from archmodels.quantities import QuantityError, format_quantity, parse_quantity


@pytest.mark.parametrize("text, kind, expected", [
    ("1024 GB/s", "bytes_per_s", 1.024e12),
    ("32 GiB", "bytes", 32 * 2**30),
    ("3.3792 TFLOP/s", "flop_per_s", 3.3792e12),
    ("0.49 us", "time_s", 0.49e-6),
    ("3.97 pJ", "energy_j", 3.97e-12),
    ("10.2 kW", "power_w", 10200.0),
    ("2.2 GHz", "frequency_hz", 2.2e9),
    ("400 Gb/s", "bytes_per_s", 50e9),          # bits are 1/8 byte
    ("39.38 GFLOPS/W", "flop_per_j", 39.38e9),
    ("110e9 JPY", "jpy", 110e9),
    ("40 MW", "power_w", 40e6),
    ("450 g/kWh", "grams_per_j", 450 / 3.6e6),
    ("1 TiB", "bytes", 2.0**40),
])
def test_parse_to_si(text, kind, expected):
    assert parse_quantity(text, kind) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("text, kind, fragment", [
    ("1024 GB", "bytes_per_s", "expected a bandwidth"),
    ("12 furlongs", "bytes", "unknown unit"),
    ("fast", "bytes", "not a number"),
    ("GB/s", "bytes_per_s", "not a number"),
    ("3 W", "energy_j", "expected an energy"),
])
def test_refused_with_a_clear_message(text, kind, fragment):
    with pytest.raises(QuantityError, match=fragment):
        parse_quantity(text, kind)


def test_bare_numbers_need_units():
    with pytest.raises(QuantityError, match="bare number"):
        parse_quantity(1024, "bytes")
    assert parse_quantity(0.5, "dimensionless") == 0.5


def test_format_round_trip():
    text = format_quantity(3.35e12, "bytes_per_s")
    assert text == "3.35 TB/s"
    assert parse_quantity(text, "bytes_per_s") == pytest.approx(3.35e12)
