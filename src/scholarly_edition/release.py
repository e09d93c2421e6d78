"""``make release VERSION=x.y``: publish the edition as version x.y with `mike` (the versioning tool Material
documents) into the local ``gh-pages`` branch: the version under its own folder (``x.y/``), the ``latest`` alias
moved to it, Material's version selector and, on older versions, its banner pointing to the latest. The
released commit is tagged ``vx.y`` (the "Versions and corrections" page compares these tags). Pushing stays a
separate step: ``git push origin gh-pages vx.y``.

A release is exactly a commit: it refuses a working tree with uncommitted changes, and a version that exists
already (its tag or its folder), each with one line and exit status 1, before anything is built or published."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from .config import RELEASE_ENV

BRANCH = "gh-pages"
ALIAS = "latest"
_VERSION = re.compile(r"^[0-9][0-9A-Za-z._-]*$")  # tagged v<VERSION>; the versions page reads tags v<digit>...


def _git(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True)


def _declared_version(root: Path) -> str | None:
    from .checks import load_settings

    try:
        edition = load_settings(root).edition
    except Exception:  # an unreadable mkdocs.yml is the build's to report, at its line
        return None
    return edition.version if edition is not None else None


def refusal(root: Path, version: str) -> str | None:
    """Why this release cannot be made, as one line, or None."""
    if not _VERSION.match(version or ""):
        return (f"release: '{version}' is not a version; give one that starts with a digit, like VERSION=1.0 "
                "(then letters, digits, '.', '-', '_') [release.version]")
    if _git(root, "rev-parse", "--is-inside-work-tree").returncode != 0:
        return "release: this folder is not a git repository; a release is a commit, so make one first (git init, git commit) [release.git]"
    declared = _declared_version(root)
    if declared and declared != version:
        return (f"release: mkdocs.yml declares version {declared} (extra.edition.version), which CITATION.cff and "
                f".zenodo.json carry; set it to {version} (make citation), commit, and release again [release.version_mismatch]")
    dirty = [line for line in _git(root, "status", "--porcelain").stdout.splitlines() if line.strip()]
    if dirty:
        return (f"release: the working tree has {len(dirty)} uncommitted change(s) (first: {dirty[0][3:]}); commit them "
                "first, so that the release is exactly a commit [release.dirty]")
    if _git(root, "rev-parse", "-q", "--verify", f"refs/tags/v{version}").returncode == 0:
        return f"release: version {version} exists already (tag v{version}); choose a new version [release.exists]"
    listed = _git(root, "show", f"{BRANCH}:versions.json")
    if listed.returncode == 0 and re.search(rf'"version":\s*"{re.escape(version)}"', listed.stdout):
        return f"release: version {version} exists already (in the {BRANCH} branch); choose a new version [release.exists]"
    return None


def release(root: Path, version: str, title: str | None = None) -> int:
    why = refusal(root, version)
    if why:
        print(why, file=sys.stderr)
        return 1
    scripts = Path(sys.executable).parent  # mike, and the mkdocs it runs, are installed beside this Python
    env = dict(os.environ, **{RELEASE_ENV: version, "PATH": f"{scripts}{os.pathsep}{os.environ.get('PATH', '')}"})
    mike = [str(scripts / "mike")]
    steps = [[*mike, "deploy", "--branch", BRANCH, "--update-aliases", "--title", title or version, version, ALIAS]]
    if _git(root, "cat-file", "-e", f"{BRANCH}:index.html").returncode != 0:  # the first release: the root -> latest
        steps.append([*mike, "set-default", "--branch", BRANCH, ALIAS])
    for step in steps:
        done = subprocess.run(step, cwd=root, env=env)
        if done.returncode != 0:
            print(f"release: 'mike {' '.join(step[1:])}' failed (its messages above); nothing was tagged [release.failed]", file=sys.stderr)
            return 1
    tagged = _git(root, "tag", "-a", f"v{version}", "-m", f"Release {version}")
    if tagged.returncode != 0:
        print(f"release: the tag v{version} could not be made ({tagged.stderr.strip()}) [release.failed]", file=sys.stderr)
        return 1
    print(f"released {version} into the local {BRANCH} branch ({version}/, {ALIAS} -> {version}); "
          f"publish it with: git push origin {BRANCH} v{version}")
    return 0
