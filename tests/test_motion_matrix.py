"""Never wrong: every motion kind x outcome x movant side, rendered, says nothing it must not;
and every clause of the new kinds is rendered here."""

from __future__ import annotations

import re

import pytest

from assembler import render_order
from assembler.case import validate_case
from assembler.motions import registry
from assembler.rawdata import LocatedData

from conftest import FIXTURES, document_text, read_part

CASES = FIXTURES / "cases"
PARTIES = {"plaintiffs": [{"name": "Harbor Lane Studios, Inc.", "short_name": "Harbor Lane"}],
           "defendants": [{"name": "Corvid Data Systems, LLC", "short_name": "Corvid"},
                          {"name": "Pell Archive Co.", "short_name": "Pell"}]}
# What each kind needs beyond the common fields (the fields its wording depends on).
EXTRA = {
    "default_judgment": {"relief": {"statutory_damages": "7500", "fees_and_costs": True}},
    "early_discovery_subpoena": {},
    "preliminary_injunction": {"terms": [{"text": "refrain from copying the works:",
                                          "items": ["in print;", "online."]}], "bond": "0"},
    "temporary_restraining_order": {"terms": [{"text": "preserve every server log."}],
                                    "bond": "1000"},
    "attorneys_fees": {"fee_basis": "42 U.S.C. § 1988",
                       "timekeepers": [{"name": "A. Lawyer", "hours": "10", "rate": "300"}],
                       "reductions": [{"reason": "some entries are block-billed",
                                       "percent": "10"}]},
    "extension_of_time": {"deadline": "answer or otherwise respond to the complaint",
                          "new_date": "2024-04-15"},
    "compel": {"new_date": "2024-04-15", "expenses": "award"},
    "judicial_notice": {"documents": ["the docket of Case No. 1:19-cv-00001"]},
    "quash_subpoena": {"subpoena": "served on Example Broadband Co."},
    "other": {"name": "motion to stay proceedings"},
}
PARTIAL = {"default_judgment": (["statutory_damages"], ["fees_and_costs"])}


def case_data(kind: str, outcome: str, side: str, **extra) -> dict:
    data = {"court": "ctd", "case_number": "3:24-cv-00100", "judge": {"name": "Ada Fictional"},
            **PARTIES, "isp": "Example Broadband Co.",
            "motion": {"kind": kind, "doc": 12, "movant": side, **EXTRA.get(kind, {}), **extra},
            "ruling": {"outcome": outcome},
            "signed": {"place": "Hartford", "date": "2024-03-01"}}
    data["defendants"] = [dict(d) for d in PARTIES["defendants"]]
    data["defendants"][0]["ip_address"] = "192.0.2.15"
    if outcome == "denied_without_prejudice":
        data["ruling"]["renewal_days"] = 30
    if outcome == "granted_in_part":
        granted, denied = PARTIAL.get(kind, (["Count II"], ["Count I"]))
        data["ruling"].update(granted=granted, denied=denied)
    return data


def render_data(data: dict):
    case = validate_case(LocatedData(data, {}, "matrix.yaml"))
    return render_order(case, case_dir=CASES)


COMBOS = [(k.id, outcome, side) for k in registry().all() for outcome in k.outcomes
          for side in ("plaintiff", "defendant")]
NAMES = {"plaintiff": "Harbor Lane Studios, Inc.", "defendant": "Corvid Data Systems, LLC"}


@pytest.mark.parametrize("kind, outcome, side", COMBOS)
def test_nothing_the_court_did_not_decide(kind, outcome, side):
    order = render_data(case_data(kind, outcome, side))
    text = document_text(order.data)
    conclusion = text[text.index("CONCLUSION"):] if "CONCLUSION" in text else text
    # A responsive-pleading deadline only on a motion to dismiss denied in whole or in part,
    # only for the movant, and for the pleading the motion attacked.
    answers = [(conclusion[:m.start()], m.group(1))
               for m in re.finditer(r" shall answer the ([a-z -]+?) by", conclusion)]
    if kind == "dismiss" and outcome in ("denied", "granted_in_part"):
        assert answers, conclusion
        for before, what in answers:
            assert before.endswith(NAMES[side]), before[-80:]
            assert what.startswith("remaining claims" if outcome == "granted_in_part"
                                   else {"defendant": "complaint", "plaintiff": "counterclaim"}[side])
    else:
        assert not answers
    # Nothing dismisses the complaint on a motion against a counterclaim.
    if kind == "dismiss" and side == "plaintiff":
        assert "complaint is dismissed" not in text and "the complaint of" not in text
    # No case closure unless the ruling disposes of every claim against every party: with two
    # defendants and one movant, nothing the library writes closes the case.
    assert "close this case" not in text
    # No relief or cost the motion did not seek.
    if kind == "attorneys_fees":
        assert "costs" not in conclusion
    if kind == "default_judgment":
        assert "enjoined" not in text  # no injunction was sought
    # No attachment the case did not ask for.
    assert "NOTICE TO SUBSCRIBER" not in text and not order.document.package.parts.get(
        "attachments")
    assert "[[" not in text and "{{" not in text


def test_closing_the_case_needs_every_claim_against_every_party():
    data = case_data("dismiss", "granted", "defendants")
    data["ruling"]["with_prejudice"] = True
    assert "close this case" in document_text(render_data(data).data)  # both defendants moved
    data["motion"]["movant"] = "defendants.0"
    assert "close this case" not in document_text(render_data(data).data)
    data["ruling"]["closes_case"] = True  # the court says so
    assert "close this case" in document_text(render_data(data).data)


def test_item_dispositions_each_their_own(tmp_path):
    data = case_data("dismiss", "granted_in_part", "defendant")
    data["ruling"].update(granted=[{"item": "Count II", "prejudice": "with"},
                                   {"item": "Count III", "amend_days": 21}],
                          denied=["Count I", {"item": "Count IV", "moot": True}])
    text = document_text(render_data(data).data)
    assert "GRANTED as to Count II, which is dismissed with prejudice." in text
    assert "GRANTED as to Count III, which is dismissed without prejudice." in text
    assert "may file an amended complaint as to Count III by March 22, 2024." in text
    assert "DENIED as to Count I, which shall proceed." in text
    assert "DENIED as moot as to Count IV." in text


def test_attorneys_fees_lodestar_fixture():
    from conftest import FIXTURES as F
    from assembler import load_case
    path = F / "cases" / "attorneys-fees-granted.yaml"
    text = document_text(render_order(load_case(path), case_dir=path.parent).data)
    assert "Ilse Varga (partner): 120.5 hours at $450 per hour, or $54,225." in text
    assert "Tomas Reyes (paralegal): 30 hours at $200 per hour, or $6,000." in text
    assert "The lodestar is therefore $60,225." in text
    assert "is awarded attorney’s fees of $60,225 against Quayside Looms LLC." in text
    assert "costs" not in text[text.index("CONCLUSION"):]


def test_fee_reductions_and_costs_in_decimal():
    data = case_data("attorneys_fees", "granted_in_part", "plaintiff", costs="402.10")
    data["motion"]["timekeepers"] = [{"name": "A", "hours": "0.1", "rate": "333.33"},
                                     {"name": "B", "hours": "0.2", "rate": "333.33"}]
    text = document_text(render_data(data).data)
    # 0.1 x 333.33 = 33.33(3) -> $33.33; 0.2 x 333.33 = $66.67; lodestar $100; 10% = $10
    assert "or $33.33." in text and "or $66.67." in text
    assert "The lodestar is therefore $100. The Court reduces it by 10 percent ($10)" in text
    assert "fees of $90 and costs of $402.10, a total of $492.10," in text


def test_preliminary_injunction_terms_are_numbered_with_lettered_items():
    from assembler import load_case
    path = CASES / "preliminary-injunction-granted.yaml"
    order = render_order(load_case(path), case_dir=path.parent)
    text = document_text(order.data)
    assert order.title == "ORDER GRANTING MOTION FOR A PRELIMINARY INJUNCTION"
    assert "no bond is required" in text
    assert "permanently" not in text and "close this case" not in text
    body = read_part(order.data, "word/document.xml")
    levels = re.findall(r'<w:ilvl w:val="(\d)"/>', body)
    assert levels.count("0") == 2 and levels.count("1") == 2  # two terms, two lettered items
    numbering = read_part(order.data, "word/numbering.xml")
    assert 'w:numFmt w:val="lowerLetter"' in numbering


def test_injunction_and_strike_title_and_conclusion():
    from assembler import load_case
    path = CASES / "injunction-and-strike.yaml"
    order = render_order(load_case(path), case_dir=path.parent)
    assert order.title == ("ORDER GRANTING MOTION FOR A PRELIMINARY INJUNCTION AND DENYING "
                           "MOTION TO STRIKE")
    text = document_text(order.data)
    assert "gives security under Rule 65(c) in the amount of $5,000." in text
    assert text.index("(ECF No. 19) is GRANTED") < text.index(
        "The motion to strike (ECF No. 31) is DENIED.")


def test_a_granted_injunction_needs_the_rule_65c_security_decided():
    from assembler.errors import ClauseError
    data = case_data("preliminary_injunction", "granted", "plaintiff")
    del data["motion"]["bond"]
    with pytest.raises(ClauseError, match=r"clause preliminary-injunction/granted: motion.bond: "
                                          "needs a value the case does not give"):
        render_data(data)
    data["ruling"]["outcome"] = "denied"  # a denial decides no security
    assert "65(c)" not in document_text(render_data(data).data).split("CONCLUSION")[1]


def test_extension_gives_the_new_date_and_compel_the_expenses():
    text = document_text(render_data(case_data("extension_of_time", "granted", "defendant")).data)
    assert ("Corvid Data Systems, LLC shall answer or otherwise respond to the complaint on or "
            "before April 15, 2024.") in text
    text = document_text(render_data(case_data("compel", "granted", "plaintiff")).data)
    assert "Under Rule 37(a)(5)(A), Corvid Data Systems, LLC shall pay the reasonable" in text
    text = document_text(render_data(case_data("compel", "granted", "plaintiff",
                                               expenses=None)).data)
    assert "37(a)(5)" not in text.split("CONCLUSION")[1]


def matrix_orders():
    """Orders of every kind and outcome (for the clause-coverage test)."""
    return [render_data(case_data(k, o, "plaintiff")) for k, o, s in COMBOS if s == "plaintiff"]


@pytest.mark.parametrize("kind", ["temporary_restraining_order", "preliminary_injunction"])
def test_a_restraining_order_expires_under_rule_65b2(kind):
    text = document_text(render_data(case_data(kind, "granted", "plaintiff")).data)
    if kind == "temporary_restraining_order":
        assert "for fourteen days after this order is entered" in text
        assert "until further order of the Court" not in text
    else:
        assert "until further order of the Court" in text
