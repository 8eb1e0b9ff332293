"""Sphinx configuration of the skae documentation.

Build from the repository root with ``sphinx-build -W -b html docs docs/_build/html``.
"""

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Document the checkout being built, not whichever skae happens to be installed.
sys.path.insert(0, str(HERE.parent))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import skae  # noqa: E402

project = "skae"
copyright = "skae developers"
release = version = skae.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "**.ipynb_checkpoints", "examples/README.txt"]
templates_path = ["_templates"]

autosummary_generate = True
# Own members only: the inherited scikit-learn ones (set_output, get_params...)
# cite scikit-learn's own pages, which this site does not have.
autodoc_default_options = {"members": True}
# numpydoc lists methods itself; autosummary stubs for them would be unused pages.
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence"]

html_theme = "pydata_sphinx_theme"
html_title = f"skae {version}"
html_theme_options = {"navigation_with_keys": False, "show_toc_level": 2}
html_static_path = []

# Pages other contributors write in Markdown; each joins the "Performance"
# toctree of the front page once its file exists, so a missing one is no
# warning (the build runs with -W).
OPTIONAL_PAGES = ["performance", "benchmarks", "errors"]


def _add_optional_pages(app, docname, source):
    if docname == "index":
        present = [page for page in OPTIONAL_PAGES if (HERE / f"{page}.md").exists()]
        source[0] = source[0].replace("OPTIONAL_PAGES", "\n".join(present))


# Only the digits examples run during the build, which stays within a few
# minutes on 2 cores. The MNIST ones train on 60,000 images for minutes each;
# the gallery shows their code, and they run from the repository root, where
# their default path ../shared/data/mnist.npz points at the shared file.
run_pattern = r"/plot_digits"

sphinx_gallery_conf = {
    "examples_dirs": "examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": run_pattern,
    "ignore_pattern": r"__init__\.py",
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "write_computation_times": False,
}


def _skip_foreign_members(app, what, name, obj, skip, options):
    # Methods scikit-learn adds (set_output, set_fit_request...) cite
    # scikit-learn's own pages, which this site does not have.
    if what == "class" and not (getattr(obj, "__module__", None) or "").startswith("skae"):
        return True
    return None


def setup(app):
    app.connect("autodoc-skip-member", _skip_foreign_members)
    app.connect("source-read", _add_optional_pages)
