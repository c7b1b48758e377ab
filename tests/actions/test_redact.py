import pytest

from actions.redact import redact


@pytest.mark.parametrize(
    "text, hidden, mask",
    [
        ("Klienten har pnr 19850312-1234, vad gäller?", "19850312-1234", "[personnummer]"),
        ("personnummer 850312-1234", "850312-1234", "[personnummer]"),
        ("samordningsnummer 850372-1234", "850372-1234", "[personnummer]"),
        ("ring mig på 070-123 45 67", "070-123 45 67", "[telefonnummer]"),
        ("tel 08-123 456 78 efter lunch", "08-123 456 78", "[telefonnummer]"),
        ("eller +46 8 123 45 67", "+46 8 123 45 67", "[telefonnummer]"),
        ("mejla anna.andersson@stockholm.se", "anna.andersson@stockholm.se", "[e-post]"),
    ],
)
def test_redact_masks_personal_data(text: str, hidden: str, mask: str) -> None:
    out = redact(text)
    assert hidden not in out
    assert mask in out


def test_redact_keeps_ordinary_questions() -> None:
    text = "När ska jag ansöka om samordning enligt 30 kap. 10 § socialförsäkringsbalken (2010:110)?"
    assert redact(text) == text
