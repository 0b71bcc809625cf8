"""The live chart's own element in Chromium: one plot div redrawn in place, plotly.js
from the app's server, and a clear message when plotly.js cannot load."""

from __future__ import annotations

import pytest
from conftest import screenshot, wait_idle, wait_rerun

from sgdlab.figures import WIDE

pytestmark = pytest.mark.browser

PLOTLY_JS = "sgdlab.ui.live_chart.plotly_js/plotly.min.js"
TITLE = "() => (document.querySelector('.js-plotly-plot .gtitle') || {}).textContent || ''"


def test_a_new_setting_redraws_the_same_plot_once(app_url, page):
    served = []
    page.on("response", lambda r: served.append(r.status) if PLOTLY_JS in r.url else None)
    page.goto(app_url + "?lang=en")
    wait_idle(page)
    page.wait_for_selector(".js-plotly-plot .cartesianlayer")
    assert "batch = 20" in page.evaluate(TITLE)
    page.evaluate("""() => {
      const gd = document.querySelector('.js-plotly-plot');
      gd.dataset.before = 'yes'; window.draws = 0;
      gd.querySelector('.main-svg').dataset.before = 'yes';
      gd.on('plotly_react', () => { window.draws += 1; });
    }""")
    thumb = page.locator('[data-testid="stSlider"]', has_text="Batch size").locator(
        'input[type="range"]')
    thumb.focus()
    page.keyboard.press("ArrowRight")
    wait_rerun(page)
    page.wait_for_function(f"() => ({TITLE})().includes('batch = 21')")
    page.wait_for_timeout(500)
    # the same element, drawn once: st.plotly_chart made a new chart and drew it twice
    assert page.evaluate("document.querySelectorAll('.js-plotly-plot').length") == 1
    assert page.evaluate("document.querySelector('.js-plotly-plot').dataset.before") == "yes"
    assert page.evaluate("window.draws") == 1
    # redrawn in place, not from scratch (a config that differs, e.g. a new modebar
    # button object each time, makes Plotly.react start over)
    assert page.evaluate("document.querySelector('.js-plotly-plot .main-svg').dataset.before"
                         ) == "yes"
    assert served == [200]  # plotly.js came from the app's own server, once
    assert page.console_errors == []


def test_without_plotly_js_the_chart_says_so_and_the_page_works(app_url, page):
    page.route(f"**/{PLOTLY_JS}?*", lambda route: route.abort())
    page.goto(app_url + "?lang=zh")
    wait_idle(page)
    page.wait_for_selector(".sgdlab-live-chart", state="attached")
    page.wait_for_function(
        "() => document.querySelector('.sgdlab-live-chart').textContent.includes('刷新')")
    assert page.locator('[data-testid="stException"]').count() == 0
    code = page.locator('[data-testid="stCode"]').first.inner_text()
    assert code.startswith("Step 20, ")  # the metrics and the log line are all there
    screenshot(page, "live_chart_without_plotly_zh")
    # the failed <script> load is the browser's own console line, nothing of ours
    assert all("plotly" in e or "Failed to load resource" in e for e in page.console_errors)


def test_a_new_setting_while_playing_shows_the_new_run(app_url, page):
    """The old run's frames must not go on playing (and end) over the new run's figure
    (a fresh-user report: Play, then a learning rate of 0.5)."""
    page.goto(app_url + "?lang=en")
    wait_idle(page)
    page.wait_for_selector(".js-plotly-plot .cartesianlayer")
    page.locator(".updatemenu-button", has_text="Play").first.click()
    page.wait_for_function(  # playing: an early step shows
        "() => [...document.querySelectorAll('.js-plotly-plot text')]"
        ".some(t => /^Step ([1-9]|1[0-9]),/.test(t.textContent))")
    page.wait_for_timeout(1000)
    box = page.get_by_role("spinbutton", name="exact learning rate")
    box.fill("0.5")
    box.press("Enter")
    wait_rerun(page)
    page.wait_for_function(f"() => ({TITLE})().includes('lr = 0.5')")
    page.wait_for_timeout(9000)  # longer than the old run's playback would have lasted
    shown = page.locator('[data-testid="stCode"]').first.inner_text().strip()
    assert shown.startswith("Step 20, ") and "9.94" not in shown
    inside = page.locator(".js-plotly-plot text", has_text="Step ").first.text_content()
    assert inside == shown  # the figure's own log line is the new run's, at its last step
    assert page.locator('[data-testid="stException"]').count() == 0


def test_the_full_screen_button_fills_the_screen_with_the_figure(app_url, page):
    page.goto(app_url + "?lang=zh")
    wait_idle(page)
    page.wait_for_selector(".js-plotly-plot .cartesianlayer")
    assert page.locator(".modebar-btn[data-title*='Cloud'], .modebar-btn[data-title^='Share']"
                        ).count() == 0  # plotly.js 4's upload button is off
    page.locator(".modebar-btn[data-title^='全屏']").click()
    page.wait_for_function("() => document.fullscreenElement !== null")
    assert page.evaluate("document.fullscreenElement.classList.contains('sgdlab-live-chart')")
    page.wait_for_function(  # redrawn at the screen's width
        "() => document.querySelector('.js-plotly-plot .main-svg').getAttribute('width')"
        " == String(window.innerWidth)")
    screenshot(page, "live_chart_fullscreen_zh")
    assert page.console_errors == []


def test_the_camera_saves_the_figure_named_by_its_settings_without_the_play_controls(
        app_url, page, tmp_path):
    page.goto(app_url + "?lang=en&lr=0.2&batch_size=25")
    wait_idle(page)
    page.wait_for_selector(".js-plotly-plot .cartesianlayer")
    assert page.locator(".modebar-btn[data-title^='Download plot']").count() == 0  # plotly's
    with page.expect_download() as info:
        page.locator(".modebar-btn[data-title^='Download the figure as PNG']").click()
    download = info.value
    assert download.suggested_filename == \
        "sgdlab_live_seed1024_lr0.2_bs25_steps20_sgd_sequential.png"
    path = tmp_path / "live.png"
    download.save_as(path)
    raw = path.read_bytes()
    assert raw[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(raw[16:20], "big")
    shown = page.evaluate("document.querySelector('.js-plotly-plot')._fullLayout.width")
    assert abs(width - 3 * shown) <= 3  # sharp on a projector and in print
    # The picture is of the figure, not of ▶ and the step slider (the page keeps them).
    assert page.locator(".js-plotly-plot .updatemenu-container").count() > 0
    svg = page.evaluate("""async () => {
      const gd = document.querySelector('.js-plotly-plot');
      const layout = {...gd.layout, updatemenus: [], sliders: []};
      return Plotly.toImage({data: gd.data, layout}, {format: 'svg'});
    }""")
    assert "updatemenu" not in svg and "slider-container" not in svg
    assert page.console_errors == []


def test_pausing_or_changing_speed_mid_play_raises_nothing(app_url, page):
    """plotly rejects an interrupted animation's promise with nothing; the play buttons did
    not catch it, and every Pause or ×2 mid-play logged 'Uncaught (in promise) undefined'."""
    page.goto(app_url + "?lang=en&steps=200")
    wait_idle(page)
    page.wait_for_selector(".js-plotly-plot .cartesianlayer")
    buttons = page.locator(".js-plotly-plot .updatemenu-button")
    for first, then in (("×2", "Pause"), ("▶", "×4"), ("×4", "×2"), ("×2", "Pause")):
        buttons.filter(has_text=first).first.click()
        page.wait_for_timeout(400)
        buttons.filter(has_text=then).first.click()
        page.wait_for_timeout(400)
    assert page.console_errors == []


def test_where_playback_pauses_the_page_s_step_follows(app_url, page):
    """⏸ on a frame: the step box, the log line and the link describe that frame (a teacher
    who paused on the interesting step and copied the link shared the last step)."""
    page.goto(app_url + "?lang=en&steps=200")
    wait_idle(page)
    page.wait_for_selector(".js-plotly-plot .cartesianlayer")
    buttons = page.locator(".js-plotly-plot .updatemenu-button")
    buttons.filter(has_text="▶").first.click()
    page.wait_for_timeout(1500)
    buttons.filter(has_text="Pause").first.click()
    box = page.locator('[data-testid="stNumberInput"]', has_text="Current step").locator("input")
    page.wait_for_function(
        "(el) => el.value !== '200'", arg=box.element_handle(), timeout=30_000)
    wait_idle(page)
    step = box.input_value()
    assert 1 <= int(step) < 200
    shown = page.locator(".js-plotly-plot text", has_text="Step ").first.text_content()
    assert shown.startswith(f"Step {step},")
    line = page.locator('[data-testid="stCode"]').first.inner_text().strip()
    assert line == shown
    page.wait_for_function("(s) => location.search.includes('step=' + s)", arg=step)
    assert page.console_errors == []


FIGURE_STEP = """() => {
  const line = [...document.querySelectorAll('.js-plotly-plot text')]
    .map((t) => t.textContent).find((t) => /^Step \\d+,/.test(t));
  return line ? Number(line.match(/^Step (\\d+),/)[1]) : null;
}"""


def _playing_past(page, app_url: str, step: int):
    """A 200-step run playing (▶) past ``step``; its play buttons."""
    page.goto(app_url + "?lang=en&steps=200")
    wait_idle(page)
    page.wait_for_selector(".js-plotly-plot .cartesianlayer")
    buttons = page.locator(".js-plotly-plot .updatemenu-button")
    buttons.filter(has_text="▶").first.click()
    page.wait_for_function(f"(s) => ({FIGURE_STEP})() > s", arg=step)
    return buttons


def test_faster_mid_play_goes_on_from_the_frame_on_screen_to_the_end(app_url, page):
    """×2 pressed while ▶ played had sent playback back to step 1 and frozen it there: the
    interruption reported a stop, and the page's rerun stopped the new animation."""
    buttons = _playing_past(page, app_url, 10)
    before = page.evaluate(FIGURE_STEP)
    assert before < 150
    buttons.filter(has_text="×2").first.click()
    page.wait_for_timeout(600)
    assert page.evaluate(FIGURE_STEP) > before  # on from there, not from step 1
    page.wait_for_function(f"() => ({FIGURE_STEP})() === 200", timeout=60_000)
    wait_idle(page)
    page.wait_for_timeout(1000)
    assert page.evaluate(FIGURE_STEP) == 200
    assert page.locator('[data-testid="stCode"]').first.inner_text().startswith("Step 200,")
    assert page.console_errors == []


def test_faster_after_pause_goes_on_from_the_paused_step(app_url, page):
    buttons = _playing_past(page, app_url, 60)
    buttons.filter(has_text="Pause").first.click()
    box = page.locator('[data-testid="stNumberInput"]', has_text="Current step").locator("input")
    page.wait_for_function("(el) => el.value !== '200'", arg=box.element_handle(),
                           timeout=30_000)
    wait_idle(page)
    paused = int(box.input_value())
    buttons.filter(has_text="×4").first.click()
    page.wait_for_function(f"(p) => ({FIGURE_STEP})() !== p", arg=paused)
    assert page.evaluate(FIGURE_STEP) > paused
    assert page.console_errors == []


def test_resume_after_the_step_box_goes_on_from_that_step(app_url, page):
    """▷ Resume after typing a step had played from step 1 (a reviewer): the step box (or
    a link's step, as here) draws a new figure, which plotly's own resume knew no current
    frame of."""
    page.goto(app_url + "?lang=en&steps=200&step=120")
    wait_idle(page)
    page.wait_for_selector(".js-plotly-plot .cartesianlayer")
    page.wait_for_function(f"() => ({FIGURE_STEP})() === 120")
    page.evaluate("""() => { window.__frames = [];
      document.querySelector('.js-plotly-plot').on('plotly_animatingframe',
        (e) => window.__frames.push(Number(e.name))); }""")
    page.locator(".js-plotly-plot .updatemenu-button", has_text="Resume").first.click()
    page.wait_for_function("() => window.__frames.length >= 5")
    frames = page.evaluate("window.__frames")
    assert frames[0] >= 120 and frames == sorted(frames), frames[:10]
    assert page.console_errors == []


SHOWN = """() => [...document.querySelectorAll(
    '.st-key-live_step_view [data-testid=stMetricValue] [data-testid=stMarkdownContainer],'
    + '.st-key-live_step_view [data-testid=stCode] code')].map((el) => {
  const after = getComputedStyle(el, '::after').content;  // what playback writes there
  return after && after !== 'none' ? JSON.parse(after) : el.innerText;
})"""


def test_while_playing_the_metrics_and_log_line_follow_the_frames(app_url, page):
    """Mid-play the metrics row and the log line said "20 / 20" beside a figure at step 7
    (two reviewers); faded, they still did not say what the class watched. They follow
    each frame now; the table, which waits for the pause, fades."""
    page.goto(app_url + "?lang=zh&steps=200")
    wait_idle(page)
    page.wait_for_selector(".js-plotly-plot .cartesianlayer")
    assert page.evaluate(SHOWN)[0] == "200 / 200"
    table = page.locator(".st-key-live_step_table")
    assert float(table.evaluate("(el) => getComputedStyle(el).opacity")) == 1
    page.locator(".js-plotly-plot .updatemenu-button", has_text="播放").first.click()
    page.wait_for_function(f"() => ({FIGURE_STEP})() > 20")
    page.wait_for_timeout(300)  # the fade's own transition
    for _ in range(3):
        step, values = page.evaluate(f"() => [({FIGURE_STEP})(), ({SHOWN})()]")
        assert values[0] == f"{step} / 200" and values[-1].startswith(f"Step {step},"), values
        page.wait_for_timeout(150)
    assert float(table.evaluate("(el) => getComputedStyle(el).opacity")) < 0.5
    screenshot(page, "live_chart_playing_follows_zh")
    page.locator(".js-plotly-plot .updatemenu-button", has_text="暂停").first.click()
    page.wait_for_function(
        "() => getComputedStyle(document.querySelector('.st-key-live_step_table')).opacity"
        " === '1'", timeout=10_000)
    wait_idle(page)
    page.wait_for_timeout(500)
    step = page.evaluate(FIGURE_STEP)
    # Streamlit's own text again, for the step paused on
    assert page.evaluate("document.querySelectorAll('[data-sgdlab-value]').length") == 0
    code = page.locator('.st-key-live_step_view [data-testid="stCode"]').inner_text()
    assert code.startswith(f"Step {step},")
    assert page.evaluate(SHOWN)[0] == f"{step} / 200"
    assert page.console_errors == []


def test_the_toolbar_speaks_the_pages_language(app_url, page):
    page.goto(app_url + "?lang=zh")
    wait_idle(page)
    page.wait_for_selector(".js-plotly-plot .modebar-btn")
    titles = page.evaluate("[...document.querySelectorAll('.js-plotly-plot .modebar-btn')]"
                           ".map((b) => b.dataset.title)")
    assert "缩放" in titles and "重置坐标轴" in titles and "Zoom" not in titles
    ticks = page.locator(".js-plotly-plot .xtick text").all_text_contents()
    assert "−1" in ticks or "-1" in ticks  # numbers still in plotly's own format
    page.get_by_text("English", exact=True).click()
    wait_rerun(page)
    page.wait_for_function("() => [...document.querySelectorAll('.js-plotly-plot .modebar-btn')]"
                           ".some((b) => b.dataset.title === 'Zoom')")
    assert page.console_errors == []


READOUT_FITS = """() => {
  const svg = document.querySelector('.js-plotly-plot .main-svg').getBoundingClientRect();
  const line = [...document.querySelectorAll('.js-plotly-plot text')]
    .find((t) => /^Step \\d+,/.test(t.textContent)).getBoundingClientRect();
  return line.left >= svg.left && line.right <= svg.right;
}"""
DOMAIN = "(n) => document.querySelector('.js-plotly-plot')._fullLayout['xaxis' + n].domain"


def test_on_a_1024_projector_the_panels_stack_and_widen_back(app_url, page):
    """At 1024x768 with the sidebar open the figure is ~500 px wide: side by side, its two
    top panels were 180 px each, legends over the data, the log line cut (audit)."""
    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto(app_url + "?lang=zh")
    wait_idle(page)
    page.wait_for_selector(".js-plotly-plot .cartesianlayer")
    assert page.evaluate(DOMAIN, "2") == [0, 1]  # parameter space below the fit, full width
    assert page.evaluate(READOUT_FITS)
    screenshot(page, "live_chart_narrow_1024_zh")
    page.set_viewport_size({"width": 1600, "height": 1000})
    page.wait_for_function(f"() => ({DOMAIN})('2')[0] > 0.5")  # side by side again
    assert page.evaluate(DOMAIN, "") == [0, 0.45]
    assert page.evaluate(READOUT_FITS)
    assert page.console_errors == []


@pytest.mark.parametrize("width", [1600, 1024])
def test_while_plotly_js_loads_the_chart_holds_its_place_and_says_so(app_url, page, width):
    """A first visit waits seconds for plotly.js: the figure's place was blank and the page
    jumped when it came (a teacher's report). On a narrow screen the stacked figure is
    taller, and the place it held had been the wide one's (a reviewer, at 1366x768)."""
    page.set_viewport_size({"width": width, "height": 900})
    held: list = []
    page.route(f"**/{PLOTLY_JS}?*", lambda route: held.append(route))
    page.goto(app_url + "?lang=zh")
    wait_idle(page)
    chart = page.locator(".sgdlab-live-chart")
    page.wait_for_function("() => document.querySelector('.sgdlab-live-chart')"
                           " && document.querySelector('.sgdlab-live-chart').textContent"
                           ".includes('正在加载图表')")
    held_px = chart.evaluate("(el) => el.offsetHeight")
    assert held_px >= WIDE["height"]  # the figure's own
    assert held  # plotly.js is still on its way
    for route in held:
        route.continue_()
    page.wait_for_selector(".js-plotly-plot .cartesianlayer")
    drawn_px = chart.evaluate("(el) => el.offsetHeight")
    assert abs(drawn_px - held_px) <= 30, (held_px, drawn_px)  # nothing below it jumps
    assert "正在加载" not in chart.inner_text()
    assert page.console_errors == []
