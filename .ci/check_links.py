"""Check that every local link of a built HTML site points at an existing file and anchor.

Usage: python .ci/check_links.py docs/_build/html

The pages are opened from disk (file://), so a link works when the file it
names exists under the build folder and, with a #fragment, holds that id.
External links (http, https, mailto) are not followed: CI has no internet.
"""

import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.ids.add(attrs["name"])
        for name in ("href", "src"):
            if attrs.get(name) and not (tag == "link" and attrs.get("rel") == "preconnect"):
                self.links.append(attrs[name])


def _parse(path, cache={}):
    if path not in cache:
        page = _Page()
        page.feed(path.read_text(encoding="utf-8", errors="replace"))
        cache[path] = page
    return cache[path]


def main(root):
    root = Path(root).resolve()
    required = [root / "index.html", root / "auto_examples" / "plot_digits_tutorial.html"]
    broken = [f"missing page {path}" for path in required if not path.exists()]
    # _static holds the theme's files, among them Jinja templates named *.html.
    pages = sorted(p for p in root.rglob("*.html") if "_static" not in p.relative_to(root).parts)
    n_links = 0
    for page in pages:
        for link in _parse(page).links:
            parts = urlsplit(link)
            if parts.scheme or link.startswith("//"):
                continue  # external (or data:, javascript:)
            n_links += 1
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page.relative_to(root)}: {link} (no file {target})")
            elif parts.fragment and target.suffix == ".html":
                if unquote(parts.fragment) not in _parse(target).ids:
                    broken.append(f"{page.relative_to(root)}: {link} (no id #{parts.fragment})")
    print(f"checked {n_links} local links in {len(pages)} pages under {root}")
    for problem in broken:
        print("BROKEN", problem)
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "docs/_build/html"))
