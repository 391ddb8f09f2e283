"""The Streamlit dashboard: the only package that imports streamlit. Only ``app.py`` imports it.

Layout
------
``registry.py``  the PAGES list (navigation order) and HOME, the Start page served at ``/``;
                 ``app.py`` turns ``[HOME, *PAGES]`` into ``st.navigation``. Streamlit serves its
                 default page only at ``/``, so with Start as the default every page in PAGES has its
                 own address (``/cost``, ``/roi`` ...).
``shell.py``     the frame around every page: logo, scenario toolbar (share link, download, load,
                 reset), share-link messages, footer; it runs the page, then mirrors the scenario
                 in the URL.
``state.py``     the current scenario and cached core calls (the API below).
``inputs.py``    ``field(path)``: one input widget bound to a scenario path.
``fields.py``    the input catalogue: plain-word labels, kinds (percent, money ...), help text
                 from the parameter library.
``fmt.py``       money, percent, month and citation formatting (the same everywhere).
``ui.py``        KPI cards with the sanity warnings that concern them (``Kpi.sources``: the input
                 paths whose citations the "?" help names, linked to their rows on the Assumptions
                 page as ``assumptions?<scenario>&row=path,path``), charts (title drawn as text
                 above the plot), banners.
``verdict.py``   the one-sentence verdict of the Start, Cost and ROI pages (ROI always with
                 P(ROI > 0) and its 90% interval).
``pages/<name>.py``  one module per page, each with ``render() -> None``.

Adding a page
-------------
1. Create ``calculator/dashboard/pages/<name>.py`` with ``def render() -> None``.
2. Add one line to ``PAGES`` in ``registry.py``:
   ``PageSpec("<name>", "Title", "<url_path>", ":material/<icon>:")``.
The frame (toolbar, share link, footer) is drawn around it automatically. The AppTest smoke test
(``tests/test_dashboard.py``) and the browser test render every page in PAGES.

Getting the current scenario in a page
--------------------------------------
::

    from .. import fmt, state, ui
    from ..inputs import field

    def render() -> None:
        ui.header("Title", "One-line intro.")
        field("programs.0.uptake")          # an input bound to the scenario (key, help, bounds, errors)
        ui.stale_banner()                   # says so when an input is invalid
        scenario = state.current_scenario() # the last valid Scenario (never invalid)
        result = state.current_result()     # evaluate(scenario), cached on its JSON
        table = state.cached_compare(state.scenario_json())

* ``state.current_scenario()`` returns the last valid :class:`calculator.Scenario` of the session.
* ``state.scenario_json()`` is its canonical JSON: use it as the argument of your own
  ``@st.cache_data`` wrappers (for example ``cached_psa(scenario_json, n, seed)``) so the cache
  key is the whole scenario and nothing else.
* ``state.cached_evaluate(json)``, ``state.cached_compare(json, i)``,
  ``state.cached_input_table(json, i)`` are cached core calls.
* ``state.update([(path, value), ...])`` applies validated changes from a page's own controls and
  returns ``[]`` or the error messages; ``state.set_scenario(s)`` replaces the scenario (widgets
  re-read it). Call them from widget callbacks (``on_change``/``on_click``), not in the page body,
  so the whole page sees the new scenario in the same run.
* Never read scenario values from widget keys: widgets are views; the scenario is the truth.
* Show numbers with ``fmt.money``, ``fmt.pct``, ``fmt.number``; pass any text that reaches
  markdown (labels, help, captions) through ``fmt.md`` and never use ``unsafe_allow_html``.
* Draw charts from ``calculator.charts`` (tables in, figures out) with ``ui.chart(fig, key=...)``.
* Keep the page's top-level element count stable between runs (put optional messages in a
  ``st.container()``), so expanders and inputs further down keep their state.
"""
