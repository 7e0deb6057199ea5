"""Untrusted clauses and case files cannot hang the machine or take its memory (issue 11):
each bomb fails its own document with a one-line error, in every command."""

from __future__ import annotations

import os
import time

import pytest
import yaml
from click.testing import CliRunner

from assembler import environment
from assembler.cli import main
from assembler.environment import RenderLimitError, make_environment, render_limited

from conftest import SEED

BOMBS = [
    "{{ '%0999999999d' % 1 }}",
    "{{ '%*d' % (999999999, 1) }}",
    "{{ 'x'|center(999999999) }}",
    "{{ 'x'.center(999999999) }}",
    "{{ 'x'.ljust(999999999) }}",
    "{{ '{:>999999999}'.format(1) }}",
    "{% set x = 10**100 %}{% set y = x**100 %}{{ y * y * y * y }}",
    "{% set ns = namespace(s=[1]*1000) %}{% for i in range(40) %}{% set ns.s = ns.s + ns.s %}"
    "{% endfor %}",
    "{% set ns = namespace(s='ab'*500) %}{% for i in range(40) %}"
    "{% set ns.s = ns.s|replace('a', 'aaaaaaaa') %}{% endfor %}",
    "{{ [1]|batch(999999999, 0)|list|length }}",
    "{{ 'a'|indent(999999999, true) }}",
]


@pytest.mark.parametrize("source", BOMBS)
def test_each_memory_bomb_is_refused_at_once(source):
    started = time.monotonic()
    with pytest.raises(RenderLimitError):
        render_limited(make_environment(autoescape=False).from_string(source), {})
    assert time.monotonic() - started < 5


def test_ordinary_formatting_still_works():
    template = make_environment(autoescape=False).from_string(
        "{{ '%5.2f' % 3.14159 }}|{{ 'x'|center(5) }}|{{ 'a-b'|replace('-', '--') }}|"
        "{{ (10**20) * 3 }}|{{ [1, 2] + [3] }}|{{ '%s v. %s' % ('A', 'B') }}")
    assert render_limited(template, {}) == " 3.14|  x  |a--b|300000000000000000000|[1, 2, 3]|A v. B"


def test_a_doubling_string_hits_the_memory_limit_not_the_machine(monkeypatch):
    monkeypatch.setattr(environment, "MAX_MEMORY_BYTES", 256 << 20)
    source = ("{% set ns = namespace(s='aaaaaaaa') %}{% for i in range(60) %}"
              "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}")
    started = time.monotonic()
    with pytest.raises(RenderLimitError, match="memory"):
        render_limited(make_environment(autoescape=False).from_string(source), {})
    assert time.monotonic() - started < 15
    assert "x" * 1000  # the limit is lifted afterwards


def _chambers_with(tmp_path, body: str):
    chambers = tmp_path / "chambers"
    folder = chambers / "clauses" / "bomb"
    folder.mkdir(parents=True)
    (folder / "loop.md").write_text(f"---\nid: bomb/loop\ntitle: x\n---\n{body}\n",
                                    encoding="utf-8")
    data = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    data["chambers"] = str(chambers)
    data["discussion"] = [{"clause": "bomb/loop"}]
    case = tmp_path / "case.yaml"
    case.write_text(yaml.safe_dump(data), encoding="utf-8")
    return case


LOOP = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"


@pytest.mark.parametrize("command", ["render", "check"])
def test_a_nested_loop_clause_ends_with_one_line_in_render_and_check(tmp_path, monkeypatch,
                                                                     command):
    monkeypatch.setattr(environment, "MAX_SECONDS", 1.0)
    case = _chambers_with(tmp_path, LOOP)
    out = tmp_path / "o.docx"
    started = time.monotonic()
    args = [command, str(case)] + (["-o", str(out)] if command == "render" else [])
    result = CliRunner().invoke(main, args)
    assert time.monotonic() - started < 6
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "1 seconds" in errors[0], result.output
    assert not out.exists()


def test_billion_laughs_is_refused(tmp_path):
    lines = ['a0: &a0 "lol"']
    for level in range(1, 10):
        previous = f"*a{level - 1}"
        lines.append(f"a{level}: &a{level} [{', '.join([previous] * 10)}]")
    lines.append("background: *a9")
    case = tmp_path / "laughs.yaml"
    case.write_text("\n".join(lines) + "\n", encoding="utf-8")
    started = time.monotonic()
    result = CliRunner().invoke(main, ["render", str(case)])
    assert time.monotonic() - started < 5
    assert result.exit_code == 1
    assert "values once its aliases are expanded" in result.output


@pytest.mark.parametrize("command", [["render"], ["check"], ["preview", "--data"]])
def test_devices_and_fifos_are_not_case_files(tmp_path, command):
    fifo = tmp_path / "case.yaml"
    os.mkfifo(fifo)
    for source in (fifo, "/dev/zero"):
        started = time.monotonic()
        result = CliRunner().invoke(main, [*command, str(source), "-o", str(tmp_path / "o.docx")]
                                    if command == ["render"] else [*command, str(source)])
        assert time.monotonic() - started < 5
        assert result.exit_code == 1, result.output
        assert ("not a regular file" in result.output
                or "check reads a case file" in result.output), result.output  # /dev/zero


def test_a_fifo_or_device_is_not_a_batch(tmp_path):
    fifo = tmp_path / "rows.csv"
    os.mkfifo(fifo)
    for source in (fifo, "/dev/zero"):
        started = time.monotonic()
        result = CliRunner().invoke(main, ["batch", str(source), "-o", str(tmp_path / "out")])
        assert time.monotonic() - started < 5
        assert result.exit_code == 1 and "not a regular file" in result.output, result.output
