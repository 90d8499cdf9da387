"""The "before" of roadmap-hooks in Python: read every issue file, parse its frontmatter with
PyYAML, keep the open issues, sort them most urgent first and print the first 50 rows, as
`roadmap list --limit 50` does. Run from the root of a repository:

    python bench/pyyaml_scan.py safe     # yaml.SafeLoader (pure Python)
    python bench/pyyaml_scan.py csafe    # yaml.CSafeLoader (libyaml)
"""

import os
import sys

import yaml

PRIORITY = {"critical": 0, "high": 1, "medium": 2, "low": 3}
STATUS = {"in-progress": 0, "review": 1, "blocked": 2, "todo": 3, "closed": 4, "archived": 5}


def frontmatter(text):
    if not text.startswith("---\n"):
        return None
    end = text.find("\n---\n", 3)
    return None if end < 0 else text[4 : end + 1]


def scan(loader):
    rows = []
    for root, archived in ((".roadmap/issues", False), (".roadmap/archive/issues", True)):
        for folder, _, names in os.walk(root):
            for name in names:
                if not name.endswith(".md"):
                    continue
                with open(os.path.join(folder, name), encoding="utf-8") as f:
                    yaml_text = frontmatter(f.read())
                data = yaml.load(yaml_text, Loader=loader) if yaml_text else None
                if not isinstance(data, dict) or "id" not in data:
                    continue
                status = str(data.get("status") or "todo")
                if archived or data.get("archived") or status in ("closed", "archived"):
                    continue
                rows.append(data)
    rows.sort(
        key=lambda d: (
            PRIORITY.get(d.get("priority"), 4),
            STATUS.get(d.get("status"), 6),
            str(d.get("created") or ""),
            str(d["id"]),
        )
    )
    return rows


def main():
    kind = sys.argv[1] if len(sys.argv) > 1 else "csafe"
    loader = {"safe": yaml.SafeLoader, "csafe": getattr(yaml, "CSafeLoader", None)}[kind]
    if loader is None:
        sys.exit("pyyaml_scan: this PyYAML has no CSafeLoader (built without libyaml)")
    out = ["ID        TITLE  STATUS  PRIORITY  TYPE  ASSIGNEE  MILESTONE"]
    for d in scan(loader)[:50]:
        fields = ("id", "title", "status", "priority", "issue_type", "assignee", "milestone")
        out.append("  ".join(str(d.get(k) or "-") for k in fields))
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
