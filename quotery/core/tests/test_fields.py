"""ExactDecimalField keeps decimals exact on SQLite (text) and PostgreSQL (numeric)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quotery.quotes.factories import make_quote
from quotery.quotes.models import Line, Quote

pytestmark = pytest.mark.django_db

EXACT_QUANTITIES = [
    "0.1",
    "0.001",
    "12345678901.123",  # 14 significant digits: more than a double keeps exactly
    "99999999999.999",
    "1",
    "0.3",
    "2.675",  # 2.67499999... as a float
]


@pytest.fixture
def line(rep) -> Line:
    quote = make_quote(owner=rep, lines_per_section=1)
    return Line.objects.get(quote=quote)


@pytest.mark.parametrize("text", EXACT_QUANTITIES)
def test_exact_values_round_trip(line, text):
    # given an exact decimal written through the ORM
    Line.objects.filter(pk=line.pk).update(quantity=Decimal(text))
    # when it is read back
    stored = Line.objects.get(pk=line.pk).quantity
    # then it is a Decimal equal to what was written, with the column's decimal places
    assert isinstance(stored, Decimal)
    assert stored == Decimal(text)
    assert f"{stored:f}" == f"{Decimal(text).quantize(Decimal('0.001')):f}"


def test_saving_a_model_instance_round_trips_money_exactly(line):
    line.unit_price = Decimal("9999999999.9999")
    line.net_amount = Decimal("123456789012345.678")
    line.save()
    fresh = Line.objects.get(pk=line.pk)
    assert fresh.unit_price == Decimal("9999999999.9999")
    assert fresh.net_amount == Decimal("123456789012345.678")


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(units=st.integers(min_value=0, max_value=10**18 - 1))
def test_any_money_amount_of_the_column_round_trips(rep, units):
    # given any amount a money column holds (18 digits, 3 decimals)
    amount = Decimal(units).scaleb(-3)
    quote = Quote.objects.filter(owner=rep).first() or make_quote(owner=rep)
    # when it is stored and read back
    Quote.objects.filter(pk=quote.pk).update(total=amount)
    # then nothing was lost on the way
    assert Quote.objects.values_list("total", flat=True).get(pk=quote.pk) == amount


def test_sqlite_stores_text_and_postgresql_numeric(line):
    Line.objects.filter(pk=line.pk).update(quantity=Decimal("12345678901.123"))
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT typeof(quantity), quantity FROM quotes_line WHERE id = %s", [line.pk]
            )
            kind, raw = cursor.fetchone()
            assert kind == "text"
            assert raw == "12345678901.123"
        else:
            cursor.execute(
                "SELECT pg_typeof(quantity)::text, quantity FROM quotes_line WHERE id = %s",
                [line.pk],
            )
            kind, raw = cursor.fetchone()
            assert kind == "numeric"
            assert raw == Decimal("12345678901.123")


def test_a_float_never_reaches_python_code(line):
    # values() and values_list() go through the field's converter as well
    Line.objects.filter(pk=line.pk).update(quantity=Decimal("0.1"))
    row = Line.objects.values("quantity", "unit_price", "net_amount").get(pk=line.pk)
    assert all(type(value) is Decimal for value in row.values())
    assert row["quantity"] == Decimal("0.1")


@pytest.mark.django_db
def test_a_value_with_more_decimals_than_the_column_is_refused_not_rounded(company) -> None:
    # given a product price with five decimal places (the column keeps four)
    from quotery.catalog.models import Product

    product = Product(
        company=company, sku="X", name="X", unit_price=Decimal("1.00005"), tax_rate=Decimal(0)
    )

    # when it is saved, then the write fails loudly instead of rounding silently
    with pytest.raises(ValueError, match="more than 4 decimal places"), transaction.atomic():
        product.save()
    assert not Product.objects.filter(sku="X").exists()
