"""The list of dashboard pages, in navigation order. ``app.py`` turns it into ``st.navigation``.

To add a page: create ``calculator/dashboard/pages/<name>.py`` with a ``render()`` function and add
one ``PageSpec`` line below.

``HOME`` is the start page served at ``/`` (Streamlit serves its default page only at ``/``, never at
its own url_path), so every page in ``PAGES``, Cost included, has its own address: ``/cost``, ``/roi``...
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageSpec:
    module: str  # module name under calculator.dashboard.pages
    title: str  # shown in the navigation
    url_path: str  # stable URL segment (used by share links and the browser tests)
    icon: str  # a Material icon name, e.g. ":material/payments:"


PAGES: list[PageSpec] = [
    PageSpec("cost", "Cost of back pain", "cost", ":material/payments:"),
    PageSpec("workforce", "Your workforce", "workforce", ":material/groups:"),
    PageSpec("roi", "Therapy ROI", "roi", ":material/savings:"),
    PageSpec("compare", "Compare therapies", "compare", ":material/compare_arrows:"),
    PageSpec("uncertainty", "Uncertainty", "uncertainty", ":material/ssid_chart:"),
    PageSpec("health_plan", "Health plan", "health-plan", ":material/health_and_safety:"),
    PageSpec("assumptions", "Assumptions & sources", "assumptions", ":material/menu_book:"),
    PageSpec("report", "Report", "report", ":material/description:"),
    PageSpec("library", "Library", "library", ":material/bookmarks:"),
    PageSpec("portfolio", "Book of business", "portfolio", ":material/business_center:"),
]

#: The start page at ``/``: the tool's purpose in one sentence, the verdict, and a link to every page.
HOME = PageSpec("start", "Start", "start", ":material/home:")
