"""What the issue files of a repository say, read by the tracker, compared with our cache.

Usage: python files_oracle.py REPO_ROOT < listing.json
  listing.json is `roadmap list --all --sort id --format json` (what our cache serves).
Exit 0 when every listed issue equals its file, field by field, and every issue file is
listed; otherwise exit 1 with one line per difference.

This is the tests' oracle that does not share our parser: the frontmatter is read by the
tracker's own reader (roadmap-cli 0.3.1's `_load_frontmatter`: its regex, then
`yaml.safe_load`) when run with target/bench-peers/venv-0.3/bin/python, else by the same two
steps written here against PyYAML. The only rules applied on top are the tracker's layout and
the unavoidable gaps between YAML and JSON, each named below.
"""

import datetime
import json
import re
import sys
from pathlib import Path

import yaml

try:
    # The current tracker's reader; importing only this module costs 0.3 s.
    from roadmap.adapters.outbound.persistence.documents import (
        DocumentError,
        _load_frontmatter,
    )

    READER = "roadmap-cli 0.3.1 _load_frontmatter"
except ImportError:
    _FRONTMATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*\r?\n(.*)\Z", re.S)

    class DocumentError(ValueError):
        pass

    def _load_frontmatter(raw, path):
        match = _FRONTMATTER.match(raw)
        if match is None:
            raise DocumentError(f"missing YAML frontmatter in {path}")
        try:
            loaded = yaml.safe_load(match.group(1))
        except yaml.YAMLError as error:
            raise DocumentError(f"invalid YAML frontmatter in {path}: {error}") from error
        if not isinstance(loaded, dict):
            raise DocumentError(f"frontmatter must be a mapping in {path}")
        return dict(loaded), match.group(2)

    READER = "yaml.safe_load"

# Our listing writes ids as text; YAML reads an all-digit id (a comment's, a GitHub number
# under remote_ids) as an int.
ID_KEYS = {"id", "issue_id", "in_reply_to", "github", "gitlab", "github_issue"}
# Keys of our listing that are not fields of the file.
NOT_FIELDS = {"path", "extra", "archived", "milestone_id"}
EMPTY = (None, [], {}, "")
# What the tracker reads for a key the file lacks, where that is not empty (0.3.1's
# `_parse_issue`: `data.pop("status", "todo")` and so on).
DEFAULTS = {"status": "todo", "priority": "medium", "issue_type": "other"}


def follows_contract(root):
    """Whether the workspace is on the 0.2 contract: its config has workspace_schema_version."""
    config = root / ".roadmap" / "config.yaml"
    try:
        loaded = yaml.safe_load(config.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return False
    return isinstance(loaded, dict) and "workspace_schema_version" in loaded


def issue_files(root, contract):
    """Every Markdown file the layout keeps issues in: flat `issues/<id>.md` on the 0.2
    contract; on the legacy layout any depth, active before archived."""
    if contract:
        base = root / ".roadmap" / "issues"
        if base.is_dir():
            yield from sorted(p for p in base.glob("*.md") if p.is_file())
        return
    for folder in (".roadmap/issues", ".roadmap/archive/issues"):
        base = root / folder
        if base.is_dir():
            yield from sorted(p for p in base.rglob("*.md") if p.is_file())


def same(ours, theirs, key):
    """Whether our JSON value is the value PyYAML read."""
    if theirs is None or isinstance(theirs, bool):
        return ours is theirs
    if isinstance(theirs, datetime.datetime):
        # An unquoted timestamp: PyYAML makes it a datetime, we keep its text.
        if not isinstance(ours, str):
            return False
        try:
            parsed = datetime.datetime.fromisoformat(ours)
        except ValueError:
            return False
        return (parsed.tzinfo is None) == (theirs.tzinfo is None) and parsed == theirs
    if isinstance(theirs, datetime.date):
        return ours == theirs.isoformat()
    if isinstance(theirs, (int, float)):
        if isinstance(ours, str):
            return key in ID_KEYS and ours == str(theirs)
        return isinstance(ours, (int, float)) and not isinstance(ours, bool) and ours == theirs
    if isinstance(theirs, str):
        return ours == theirs
    if isinstance(theirs, list):
        return (
            isinstance(ours, list)
            and len(ours) == len(theirs)
            and all(same(o, t, key) for o, t in zip(ours, theirs))
        )
    if isinstance(theirs, dict):
        # As for an issue's own keys: one the file lacks may be null in the cache (the
        # tracker's model gives a comment's `created_at` and `in_reply_to` that default).
        keys = {str(k) for k in theirs}
        if not isinstance(ours, dict) or not keys <= set(ours):
            return False
        if any(ours[k] is not None for k in set(ours) - keys):
            return False
        return all(same(ours[str(k)], v, str(k)) for k, v in theirs.items())
    return False


def compare(record, data, relative, contract):
    """Differences between one listed record and the frontmatter of its file."""
    problems = []
    extra = record.get("extra") or {}
    for key, value in data.items():
        key = str(key)
        if key == "archived":
            continue  # 1.0.2 leaves `archived: false` in archive/: the folder says it
        if key == "milestone" and contract:
            # The file holds the milestone's id; the cache shows its name beside the id.
            got = record.get("milestone_id", record.get("milestone"))
        elif key in record and key not in NOT_FIELDS:
            got = record[key]
        elif key in extra:
            got = extra[key]
        else:
            problems.append(f"{relative}: `{key}` is in the file but not in the cache")
            continue
        if key == "milestone" and value == "":
            value = None  # the tracker's `milestone_id=... if milestone else None`
        if not same(got, value, key):
            problems.append(f"{relative}: `{key}` is {got!r} in the cache, {value!r} in the file")
    for key, got in record.items():
        if key in NOT_FIELDS or key in map(str, data):
            continue
        if got != DEFAULTS[key] if key in DEFAULTS else got not in EMPTY:
            problems.append(f"{relative}: `{key}` is {got!r} in the cache, absent from the file")
    for key in extra:
        if key not in map(str, data):
            problems.append(f"{relative}: extra `{key}` in the cache, absent from the file")
    # The legacy layout: an archived issue is one under .roadmap/archive/. The contract:
    # `retention` says it (0.3.1's `delete` removes the file, so `purged` is one kept by git).
    if contract:
        archived = data.get("retention") in ("archived", "purged")
    else:
        archived = relative.startswith(".roadmap/archive/")
    if record.get("archived") is not archived:
        problems.append(f"{relative}: archived is {record.get('archived')!r} in the cache")
    return problems


def main():
    root = Path(sys.argv[1])
    listed = json.load(sys.stdin)
    by_path = {record["path"]: record for record in listed}
    problems = []
    shown = {}  # id -> the path listed for it
    contract = follows_contract(root)
    for path in issue_files(root, contract):
        relative = path.relative_to(root).as_posix()
        try:
            data, _body = _load_frontmatter(path.read_text(encoding="utf-8"), path)
        except (DocumentError, UnicodeDecodeError) as error:
            if relative in by_path:
                problems.append(f"{relative}: the tracker cannot read it ({error}), the cache lists it")
            continue
        if "id" not in data:
            if relative in by_path:
                problems.append(f"{relative}: no id in the file, the cache lists it")
            continue
        issue_id = str(data["id"])
        record = by_path.pop(relative, None)
        if record is None:
            # The same id in an active and an archived file lists the active one.
            if issue_id in shown:
                continue
            problems.append(f"{relative}: issue {issue_id} is not in the cache")
            continue
        if issue_id in shown:
            problems.append(f"{relative}: issue {issue_id} listed again (also {shown[issue_id]})")
        shown[issue_id] = relative
        problems.extend(compare(record, data, relative, contract))
    for relative in by_path:
        problems.append(f"{relative}: listed by the cache, no such issue file")
    if problems:
        print(f"the cache differs from the files (read with {READER}):")
        print("\n".join(problems))
        sys.exit(1)
    print(f"{len(shown)} issues equal their files (read with {READER})")


main()
