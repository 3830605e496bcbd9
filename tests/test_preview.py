"""``skcolorot preview``: the local server, its API and exports, its security
limits, the look's adjustments in the library and the CLI, and the page in a
headless Chromium (skipped where Chromium or selenium is missing).

Kept fast (a few seconds): small images, one server and session for the module
(fitted in the background from the start, as the command does), the command's
own process started with the module so that its start-up overlaps the other
tests, and one browser session.
"""

import io
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request

import numpy as np
import pytest
from PIL import Image
from sklearn.datasets import load_sample_image

from skcolorot import transfer
from skcolorot._preview._server import PreviewServer
from skcolorot._preview._session import PreviewSession
from skcolorot.cli import main
from skcolorot.io._cube import read_cube
from skcolorot.io._files import FileIO

LOOK = {"t": "0.7", "luminance": "0.8", "intensity": "1.3", "neutralize": "0.5"}
WIDTH, HEIGHT = 192, 128  # the source; the reference is 128 pixels wide


def _small(name, width=WIDTH):
    image = Image.fromarray(load_sample_image(name))
    return image.resize((width, round(width * image.height / image.width)), Image.Resampling.BOX)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("preview")
    source, reference = str(folder / "photo.png"), str(folder / "look.png")
    _small("china.jpg").save(source)
    _small("flower.jpg", 128).save(reference)
    return source, reference


def _selected(request, name):
    return any(item.name == name for item in request.session.items)


@pytest.fixture(scope="module")
def command(request, files):
    """``skcolorot preview`` in its own process, started with the module (when its
    test is selected): its interpreter and imports start up while other tests run."""
    if not _selected(request, "test_the_command_starts_prints_its_url_and_stops"):
        yield None
        return
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "skcolorot", "preview", *files, "--no-browser",
         "--method", "affine"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    yield process, started
    if process.poll() is None:
        process.kill()
    process.wait(timeout=30)
    process.stdout.close()
    process.stderr.close()


@pytest.fixture(scope="module")
def server(files):
    reader = FileIO()
    source = reader.read(files[0])
    # The affine grade by default, the quickest to fit; the sliced one (the
    # command's default) is fitted once, for test_exported_cube_is_what_lut_writes.
    session = PreviewSession(source, [reader.read(files[1]).pixels], reader, list(files),
                             method="affine")
    server = PreviewServer(session, 0, max_upload=200_000).start().warm_up()
    yield server
    server.close()


def _get(server, path, headers=None):
    request = urllib.request.Request(server.url + path.lstrip("/"), headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def _post(server, path, body, headers=None):
    request = urllib.request.Request(server.url + path.lstrip("/"), data=body, method="POST",
                                     headers={"Content-Type": "image/png", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _png(image):
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(image, dtype=np.uint8)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module", autouse=True)
def _start_early(request):
    """The slow starts (the command's process, Chromium) begin with the module."""
    request.getfixturevalue("command")
    request.getfixturevalue("browser")


def test_binds_loopback_on_an_ephemeral_port(server):
    host, port = server.server_address
    assert host == "127.0.0.1" and port != 0
    assert server.url == f"http://127.0.0.1:{port}/"


def test_serves_the_page_and_its_files(server):
    status, headers, body = _get(server, "/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert b"skcolorot preview" in body and b'id="intensity"' in body
    for name in ("app.js", "style.css"):
        assert _get(server, name)[0] == 200


def test_api_answers_json_and_pictures(server):
    info = json.loads(_get(server, "api/info")[2])
    assert info["size"] == [WIDTH, HEIGHT] and "sliced" in info["methods"]
    curves = json.loads(_get(server, "api/curves?intensity=1.5")[2])
    assert {len(curves[c]) for c in "xrgb"} == {33}
    command = json.loads(_get(server, "api/command?intensity=1.5&detail=0")[2])
    assert "skcolorot lut" in command["lut"] and "--intensity 1.5" in command["lut"]
    assert "--no-regrain" in command["transfer"]
    measures = json.loads(_get(server, "api/measures?detail=1")[2])  # regrained
    assert 0 <= measures["color_fidelity"] < 1 and 0 < measures["luminance_ssim"] <= 1
    status, headers, body = _get(server, "api/render.jpg?intensity=0&detail=0")
    assert status == 200 and float(headers["X-Render-Ms"]) >= 0
    grey = np.asarray(Image.open(io.BytesIO(body))).astype(int)
    assert grey.shape == (HEIGHT, WIDTH, 3)
    assert np.abs(grey[..., 0] - grey[..., 2]).mean() < 3  # intensity 0: grey
    status, headers, body = _get(server, "api/candidate.jpg?method=affine&detail=0")
    assert status == 200 and headers["Content-Type"] == "image/jpeg"
    # a thumbnail: at most 40,000 pixels, so this small source whole
    assert np.asarray(Image.open(io.BytesIO(body))).shape == (HEIGHT, WIDTH, 3)


@pytest.mark.parametrize(
    "look", [{**LOOK, "method": "sliced"}, {"t": "0.6", "method": "affine"}],
    ids=["adjusted-sliced", "strength-only-affine"],
)
def test_exported_cube_is_what_lut_writes(server, files, tmp_path, look):
    query = "&".join(f"{key}={value}" for key, value in look.items())
    status, headers, body = _get(server, f"export.cube?detail=0&{query}")
    assert status == 200 and "photo_look.cube" in headers["Content-Disposition"]
    out = str(tmp_path / "lut.cube")
    options = [f"--{'strength' if key == 't' else key}" for key in look]
    args = [item for pair in zip(options, look.values()) for item in pair]
    assert main(["lut", *files, "-o", out, "-q", *args]) == 0
    with open(out, "rb") as file:
        assert body == file.read()


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed")
def test_ffmpeg_reads_the_exported_cube(server, files, tmp_path):
    cube = tmp_path / "look.cube"
    cube.write_bytes(_get(server, "export.cube?" + "&".join(f"{k}={v}" for k, v in LOOK.items()))[2])
    out = tmp_path / "ffmpeg.png"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", files[0], "-vf",
                    f"lut3d=file={cube}", str(out)], check=True, timeout=60)
    from skcolorot import apply_lut

    expected = apply_lut(np.asarray(Image.open(files[0])), read_cube(str(cube)))
    assert np.abs(np.asarray(Image.open(out)).astype(int) - expected).max() <= 2


def test_exported_image_is_what_transfer_writes(server, files, tmp_path):
    status, headers, body = _get(server, "export/image?format=png&detail=0&intensity=1.3")
    assert status == 200 and headers["Content-Type"] == "image/png"
    out = str(tmp_path / "graded.png")
    assert main(["transfer", *files, "-o", out, "-q", "--method", "affine", "--no-regrain",
                 "--intensity", "1.3"]) == 0
    exported = np.asarray(Image.open(io.BytesIO(body)))
    assert np.array_equal(exported, np.asarray(Image.open(out)))


@pytest.mark.parametrize(
    "path, code",
    [
        ("api/render.jpg?file=/etc/passwd", 400),
        ("export.cube?path=grade.cube", 400),
        ("export/image?format=../../x", 400),
        ("api/render.jpg?intensity=3", 400),
        ("static/../../etc/passwd", 404),
        ("?source=/etc/passwd", 400),
    ],
)
def test_refuses_paths_and_bad_values(server, path, code):
    status, _, body = _get(server, path)
    assert status == code and "error" in json.loads(body)


def test_refuses_other_hosts_and_origins(server):
    assert _get(server, "api/info", {"Host": "evil.example:80"})[0] == 403
    body = _png(np.zeros((4, 4, 3)))
    assert _post(server, "api/upload?role=reference", body, {"Origin": "http://evil.example"})[0] == 403


def test_uploads_are_limited_and_decoded_like_the_cli(server, monkeypatch):
    rng = np.random.default_rng(0)
    status, body = _post(server, "api/upload?role=reference", b"\0" * 300_000)
    assert status == 413 and b"limit" in body
    assert _post(server, "api/upload?role=reference", b"not an image")[0] == 400
    assert _post(server, "api/upload?role=../x", b"")[0] == 400
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 50)  # the CLI reader's bomb check
    status, body = _post(server, "api/upload?role=reference", _png(rng.random((20, 20, 3)) * 255))
    assert status == 400 and b"decompression bomb" in body
    monkeypatch.undo()
    names = server.session.names
    try:
        status, body = _post(server, "api/upload?role=add-reference",
                             _png(rng.random((20, 30, 3)) * 255), {"X-Filename": "../../b.png"})
        assert status == 200 and json.loads(body)["names"][-1] == "b.png"
        assert _get(server, "api/render.jpg?method=affine")[0] == 200
    finally:
        reader = FileIO()
        server.session._set_images(server.session.source, [reader.read(names[1]).pixels])
        server.session.names = names


def test_transfer_adjustments_are_validated_and_do_what_they_say():
    rng = np.random.default_rng(0)
    source = (rng.random((24, 24, 3)) * [200, 180, 255]).astype(np.uint8)
    target = (rng.random((16, 16, 3)) * 255).astype(np.uint8)
    for kwargs, name in (({"intensity": 2.5}, "intensity"), ({"neutralize": -1}, "neutralize"),
                         ({"intensity": "1"}, "intensity")):
        with pytest.raises(ValueError, match=name):
            transfer(source, target, method="affine", **kwargs)
    grey = transfer(source, target, method="affine", intensity=0.0).astype(int)
    assert np.abs(grey[..., 0] - grey[..., 2]).max() <= 2
    plain = transfer(source, target, method="affine")
    assert np.array_equal(plain, transfer(source, target, method="affine", intensity=1.0))
    from skcolorot.image._look import color_cast

    blue = np.clip(source.astype(int) + [0, 0, 40], 0, 255).astype(np.uint8)
    neutral = transfer(blue, target, method="affine", neutralize=1.0, t=0.0)
    assert np.array_equal(neutral, blue)  # strength 0: the source, untouched
    assert color_cast(blue)[1] < 0
    assert main(["lut", "a.png", "b.png", "-o", "x.cube", "--intensity", "3"]) == 2


def test_preview_refuses_bad_input():
    from skcolorot import preview

    image = np.zeros((8, 8, 3), np.uint8)
    with pytest.raises(ValueError, match="source must be an"):
        preview(np.zeros((8, 8)), image)
    with pytest.raises(ValueError, match="reference2 must be an"):
        preview(image, [image, np.zeros((8, 8, 5))])
    with pytest.raises(ValueError, match="method must be one of"):
        preview(image, image, method="nope").close()


def test_the_command_starts_prints_its_url_and_stops(command):
    process, started = command
    try:
        line = process.stdout.readline()
        assert line.startswith("skcolorot preview: http://127.0.0.1:"), line
        url = line.split()[2]
        with urllib.request.urlopen(url, timeout=30) as response:
            assert response.status == 200
        print(f"page up {time.perf_counter() - started:.1f} s after the command")
    finally:
        process.terminate()
        process.wait(timeout=30)


def _chromium():
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.skip("selenium is not installed (pip install selenium)")
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if browser is None or driver is None:
        pytest.skip("Chromium and chromedriver are needed (apt-get install chromium chromium-driver)")
    return webdriver, Service, browser, driver


def _start_chromium(profile):
    webdriver, Service, browser, driver_path = _chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--window-size=1280,800",
                 f"--user-data-dir={profile}"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(executable_path=driver_path), options=options)


@pytest.fixture(scope="module")
def browser(request, tmp_path_factory):
    """One headless Chromium, started in the background with the module (when its
    test is selected); a missing Chromium or selenium skips that test."""
    if not _selected(request, "test_page_in_headless_chromium"):
        yield None
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1, thread_name_prefix="chromium") as pool:
        future = pool.submit(_start_chromium, tmp_path_factory.mktemp("chromium") / "profile")
        yield future
        try:
            driver = future.result()
        except BaseException:  # skipped or failed: reported by the test
            return
        driver.quit()


def test_page_in_headless_chromium(server, browser, tmp_path):
    driver = browser.result(timeout=120)
    # The candidate strip fits every method (test_api_answers_json_and_pictures
    # asks for a candidate); here it would only compete with the renders waited for.
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["*/api/candidate.jpg*"]})
    driver.get(server.url)

    def rendered(count):
        deadline = time.time() + 30
        while time.time() < deadline:
            if int(driver.execute_script("return document.body.dataset.rendered || 0")) >= count:
                return
            time.sleep(0.05)
        raise AssertionError(driver.find_element("id", "status").text)

    rendered(1)
    view = driver.find_element("id", "view")
    before = np.asarray(Image.open(io.BytesIO(view.screenshot_as_png)).convert("RGB"), float)
    shot = os.environ.get("SKCOLOROT_PREVIEW_SCREENSHOT", str(tmp_path / "preview.png"))
    driver.save_screenshot(shot)
    # The photos are on it: the left half is the source, the right its grade.
    source = np.asarray(Image.open(server.session.names[0]), float)
    half = before.shape[1] // 2
    assert before.std() > 20
    assert np.abs(before[:, : half - 20].mean((0, 1)) - source[:, : source.shape[1] // 2].mean((0, 1))).max() < 12
    slider = driver.find_element("id", "intensity")
    slider.click()
    from selenium.webdriver.common.keys import Keys

    slider.send_keys(Keys.HOME)  # the page's own control, to 0: a grey look
    count = int(driver.execute_script("return document.body.dataset.rendered"))
    rendered(count + 1)
    time.sleep(0.2)
    after = np.asarray(Image.open(io.BytesIO(view.screenshot_as_png)).convert("RGB"), float)
    right = after[:, half + 20 :]
    assert np.abs(right - before[:, half + 20 :]).mean() > 3
    assert np.abs(right[..., 0] - right[..., 2]).mean() < 4
    assert driver.find_element("id", "intensity").get_attribute("value") == "0"
