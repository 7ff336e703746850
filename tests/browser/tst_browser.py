#!/usr/bin/python3
"""Browser tests of the web client (CTest label `browser`).

Over 500 lines: one Chromium and one server are started once and every case runs in order on
them (a restart case in the middle), because starting Chromium per case would triple the time.

Drives the client that herald-server serves at / in a real headless Chromium (Debian's chromium
through chromedriver, with python3-selenium) against real herald-server processes on free ports,
with data seeded by heraldctl. The Qt client it chats with is herald-chatpeer (a QWebSocket).
Each check asserts what the page shows or what the server stored; the first failure ends the run
with a non-zero exit status. In order: the static files and their headers (CSP, nosniff, ETag,
404/405) and the `origins` check on the WebSocket; the reconnect schedule, the string catalogue
and accessible names; sign-in (a wrong password first); a notification with actions shown (also
through the Notification API) and Approve recorded by the server; chat both ways with the Qt
client, presence and the online count; a frame before `auth` from the browser; kill -9 and a
restart on the same port with notifications and messages published meanwhile, each shown
exactly once, and a message typed while the server was down delivered once; a DM; a room
joined with its history paged backward; mentions, reactions, edits, deletions and search; files (an image with its preview, a download
saved byte for byte, one over the limit refused); mark all
read; a revoked and a stale token back to the sign-in form without a reconnect loop; a stalled
server (SIGSTOP) noticed by the client's ping; the zh_CN strings in a Chinese browser.
"""
import argparse
import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

ARGS = None
PASSWORD = 'alice-secret-9'
FILE_MAX = 200_000  # the server's file_max_bytes in these tests


def log(*a):
    print(*a, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def ctl(data, *args):
    r = subprocess.run([ARGS.ctl, '--data-dir', data, *args], capture_output=True, text=True, timeout=30)
    if r.returncode != 0:
        raise AssertionError(f'heraldctl {args[0]} failed: {r.stderr.strip()}')
    return r.stdout.strip()


class Server:
    """herald-server as a child process on a fixed port, so that a restart keeps the address."""

    def __init__(self, data, port, origin):
        self.data, self.port, self.origin, self.proc = data, port, origin, None

    def start(self, clock_offset_ms=0):
        self.log = open(os.path.join(self.data, 'server.log'), 'a')
        env = dict(os.environ)
        if clock_offset_ms:
            env['HERALD_TEST_CLOCK_OFFSET_MS'] = str(clock_offset_ms)  # the server's clock, moved on
        self.proc = subprocess.Popen(
            [ARGS.server, '--data-dir', self.data, '--listen', '127.0.0.1', '--port', str(self.port),
             '--set', f'origins={self.origin}', '--set', f'file_max_bytes={FILE_MAX}'],
            stdout=subprocess.PIPE, stderr=self.log, text=True, env=env)
        first = self.proc.stdout.readline()
        assert f'listening on 127.0.0.1:{self.port}' in first, f'server did not start: {first!r}'
        second = self.proc.stdout.readline()
        assert f'open http://127.0.0.1:{self.port}/' in second, f'no browser line: {second!r}'

    def kill9(self):
        self.proc.kill()  # SIGKILL: no close frames, no goodbye
        self.proc.wait(10)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def http(method, url, body=None, token=None, headers=None):
    req = urllib.request.Request(url, method=method, data=None if body is None else json.dumps(body).encode())
    if body is not None:
        req.add_header('Content-Type', 'application/json')
    if token:
        req.add_header('Authorization', f'Bearer {token}')
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


class ChatPeer:
    """herald-chatpeer: a Qt WebSocket client; every frame it gets is one JSON line."""

    def __init__(self, port, token, room):
        self.proc = subprocess.Popen([ARGS.peer, f'ws://127.0.0.1:{port}/ws', token, room],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.frames, self.lock = [], threading.Lock()
        threading.Thread(target=self.read, daemon=True).start()
        self.wait(lambda f: f['type'] == 'hello', 'hello for the Qt client')

    def read(self):
        for line in self.proc.stdout:
            with self.lock:
                self.frames.append(json.loads(line))

    def say(self, text):
        self.proc.stdin.write(text + '\n')
        self.proc.stdin.flush()

    def wait(self, pred, what, timeout=15):
        end = time.time() + timeout
        while time.time() < end:
            with self.lock:
                for f in self.frames:
                    if pred(f):
                        return f
            time.sleep(0.05)
        raise AssertionError(f'the Qt client never got {what}; it got {self.frames[-5:]}')

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def publish(base, service_token, title, actions=None, retry_s=0, priority='high', text=None,
            thread_key=None):
    body = {'recipients': {'users': ['alice']}, 'title': title, 'body': text or f'body of {title}',
            'priority': priority, 'category': 'purchase', 'idempotencyKey': title}
    if thread_key:
        body['threadKey'] = thread_key
    if actions:
        body['actions'] = actions
    end = time.time() + retry_s
    while True:
        try:
            status, _, raw = http('POST', f'{base}/api/v1/notifications', body, service_token)
            assert status in (200, 201), f'publish {title}: {status} {raw!r}'
            return json.loads(raw)['id']
        except (urllib.error.URLError, ConnectionError):
            if time.time() > end:
                raise
            time.sleep(0.1)


def start_browser(lang='en-US'):
    o = webdriver.ChromeOptions()
    o.binary_location = ARGS.chromium
    # --no-sandbox: CI containers run as root, where Chromium's sandbox cannot start.
    for a in ('--headless=new', '--no-sandbox', '--disable-dev-shm-usage', '--window-size=1400,860',
              f'--lang={lang}', '--disable-gpu', '--force-device-scale-factor=1'):
        o.add_argument(a)
    o.add_experimental_option('prefs', {'intl.accept_languages': lang})
    o.set_capability('goog:loggingPrefs', {'browser': 'ALL'})
    return webdriver.Chrome(service=Service(ARGS.chromedriver), options=o)


def wait_for(driver, pred, what, timeout=20):
    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.1).until(lambda d: pred(d))
    except Exception:
        logs = [e['message'] for e in driver.get_log('browser')]
        shown = {'state': state(driver), 'notifications': texts(driver, '#notifications .title'),
                 'messages': texts(driver, '#messages li.message .text')}
        raise AssertionError(f'timed out waiting for {what}; page: {shown}; console: {logs[-40:]}')


def state(driver):
    return driver.execute_script('return document.body.dataset.state || ""')


def texts(driver, css):
    return driver.execute_script(
        'return [...document.querySelectorAll(arguments[0])].map((e) => e.textContent)', css)


def check_static(base, port):
    status, headers, body = http('GET', f'{base}/')
    assert status == 200 and b'<script type="module" src="/app.js">' in body, status
    assert headers['Content-Type'].startswith('text/html'), headers['Content-Type']
    csp = headers['Content-Security-Policy']
    for part in ("default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'",
                 "frame-ancestors 'none'", "require-trusted-types-for 'script'"):
        assert part in csp, f'CSP lacks {part}: {csp}'
    assert headers['X-Content-Type-Options'] == 'nosniff'
    assert headers['Referrer-Policy'] == 'no-referrer'
    status, headers, body = http('HEAD', f'{base}/app.js')
    assert status == 200 and body == b'' and headers['Content-Type'].startswith('text/javascript')
    assert int(headers['Content-Length']) > 1000
    status, again, _ = http('GET', f'{base}/app.js', headers={'If-None-Match': headers['ETag']})
    assert status == 304, status
    status, headers, body = http('GET', f'{base}/no-such-file.js')
    assert status == 404 and json.loads(body)['error']['code'] == 'not_found', (status, body)
    status, _, body = http('POST', f'{base}/', {})
    assert status == 405, status
    # The origins setting: a handshake from another site's page is refused before any frame.
    for origin, expect in (('http://evil.example', b'403'), (f'http://127.0.0.1:{port}', b'101')):
        with socket.create_connection(('127.0.0.1', port), timeout=5) as s:
            key = base64.b64encode(os.urandom(16)).decode()
            s.sendall((f'GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n'
                       f'Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n'
                       f'Sec-WebSocket-Protocol: herald.v1\r\nOrigin: {origin}\r\n\r\n').encode())
            answer = s.recv(4096)
            assert answer.split(b' ')[1] == expect, f'Origin {origin}: {answer[:60]!r}'
    log('ok: static files, headers, CSP, 404/405/304, origins')


def check_modules(driver):
    # The reconnect schedule and the string catalogue, read from the modules the page runs.
    r = driver.execute_async_script('''
        const done = arguments[0];
        Promise.all([import('/connection.js'), import('/i18n.js')]).then(([c, i]) => done({
          max: [0, 1, 2, 3, 8, 9, 20].map((n) => c.backoffDelay(n, () => 1)),
          min: c.backoffDelay(5, () => 0),
          auth: [...c.AUTH_CLOSE_CODES],
          missing: Object.keys(i.catalogue.en).filter((k) => !(k in i.catalogue.zh_CN)),
          extra: Object.keys(i.catalogue.zh_CN).filter((k) => !(k in i.catalogue.en)),
          zh: i.pickLanguage(['zh-CN']), zhTW: i.pickLanguage(['zh-TW', 'en']), de: i.pickLanguage(['de-DE']),
          lang: document.documentElement.lang,
        }), (e) => done({error: String(e)}));''')
    assert 'error' not in r, r
    assert r['max'] == [1000, 1500, 2250, 3375, 1000 * 1.5 ** 8, 30000, 30000], r['max']
    assert r['min'] == 0 and sorted(r['auth']) == [4001, 4003, 4004, 4010], r
    assert not r['missing'] and not r['extra'], r
    assert (r['zh'], r['zhTW'], r['de'], r['lang']) == ('zh_CN', 'zh_CN', 'en', 'en'), r
    # Every control has an accessible name.
    unnamed = driver.execute_script('''
        return [...document.querySelectorAll('button, input, summary, a')].filter((e) => {
          const label = e.id && document.querySelector(`label[for="${e.id}"]`);
          return !(e.getAttribute('aria-label') || (label && label.textContent.trim()) || e.textContent.trim());
        }).map((e) => e.outerHTML.slice(0, 80));''')
    assert not unnamed, f'controls without an accessible name: {unnamed}'
    log('ok: backoff 1 s x 1.5^n capped at 30 s with full jitter, catalogue en = zh_CN, accessible names')


def attrs(driver, css, name):
    return driver.execute_script(
        'return [...document.querySelectorAll(arguments[0])].map((e) => e.getAttribute(arguments[1]))', css, name)


def click(driver, css):
    """Clicks the element css names, again if the page replaced it between finding and clicking."""
    for _ in range(20):
        try:
            driver.find_element(By.CSS_SELECTOR, css).click()
            return
        except StaleElementReferenceException:
            time.sleep(0.05)
    raise AssertionError(f'{css} kept going stale')


def sign_in(driver, password):
    driver.find_element(By.ID, 'username').clear()
    driver.find_element(By.ID, 'username').send_keys('alice')
    driver.find_element(By.ID, 'password').clear()
    driver.find_element(By.ID, 'password').send_keys(password + Keys.ENTER)


def check_before_auth(driver, port):
    r = driver.execute_async_script('''
        const done = arguments[0], got = [];
        const ws = new WebSocket(`ws://${location.host}/ws`, ['herald.v1']);
        ws.onopen = () => ws.send(JSON.stringify({type: 'room.list', id: 7}));
        ws.onmessage = (e) => got.push(JSON.parse(e.data));
        ws.onclose = (e) => done({code: e.code, got, protocol: ws.protocol});
        setTimeout(() => done({code: -1, got}), 8000);''')
    assert r['code'] == 4001, r
    assert r['got'] and r['got'][0]['type'] == 'error' and r['got'][0]['code'] == 'unauthorized', r
    assert r['got'][0].get('id') == 7, r
    log('ok: a frame before auth from the browser gets error unauthorized (with its id), then 4001')


def li(seq):
    return f'#messages li.message[data-seq="{seq}"]'


def check_chat_changes(driver, peer):
    """Mentions, reactions, edits, deletions and search, between the browser (alice) and bob."""
    text = '@alice can you check the invoice for ACME?'
    peer.say(text)
    mseq = peer.wait(lambda f: f['type'] == 'message' and f['text'] == text, 'the mention')['seq']
    wait_for(driver, lambda d: texts(d, f'{li(mseq)}.mentions-me mark.mention') == ['@alice'],
             'the mention of alice marked')
    assert not driver.find_elements(By.CSS_SELECTOR, f'{li(mseq)} .edit-button, {li(mseq)} .delete-button'), \
        'edit or delete offered on someone else\'s message'

    # alice reacts from the picker; bob sees it; the chip is pressed, and a second click takes it back.
    click(driver, f'{li(mseq)} button.react-button')
    click(driver, f'{li(mseq)} button.pick[data-emoji="👍"]')
    peer.wait(lambda f: f['type'] == 'msg.reaction' and f['target'] == mseq and f['by'] == 'alice'
              and f['emoji'] == '👍' and f['on'], 'alice\'s reaction')
    chip = f'{li(mseq)} button.reaction[data-emoji="👍"]'
    wait_for(driver, lambda d: texts(d, chip) == ['👍 1'] and attrs(d, chip, 'aria-pressed') == ['true'],
             'the reaction chip pressed')
    click(driver, chip)
    peer.wait(lambda f: f['type'] == 'msg.reaction' and f['target'] == mseq and not f['on'], 'the reaction taken back')
    wait_for(driver, lambda d: not d.find_elements(By.CSS_SELECTOR, chip), 'the chip gone')

    # alice edits her first message; bob gets msg.edited and the browser shows "(edited)".
    mine = next(int(s) for s, t in zip(attrs(driver, '#messages li.message', 'data-seq'),
                                       texts(driver, '#messages li.message .text'))
                if t == 'hello from the browser')
    click(driver, f'{li(mine)} button.edit-button')
    box = driver.find_element(By.CSS_SELECTOR, f'{li(mine)} input.edit-text')
    assert driver.switch_to.active_element == box, 'the edit box has no focus'
    box.send_keys(Keys.END + ' (fixed)' + Keys.ENTER)
    peer.wait(lambda f: f['type'] == 'msg.edited' and f['target'] == mine
              and f['text'] == 'hello from the browser (fixed)', 'the edit')
    wait_for(driver, lambda d: texts(d, f'{li(mine)} .text') == ['hello from the browser (fixed)']
             and texts(d, f'{li(mine)} .edited') == ['(edited)'], 'the edited message')

    # bob reacts to it and deletes one of his own messages.
    peer.say('/raw ' + json.dumps({'type': 'msg.react', 'id': 'r1', 'room': 'general', 'seq': mine,
                                   'emoji': '🎉', 'on': True}))
    chip = f'{li(mine)} button.reaction[data-emoji="🎉"]'
    wait_for(driver, lambda d: texts(d, chip) == ['🎉 1'] and attrs(d, chip, 'aria-pressed') == ['false']
             and attrs(d, chip, 'title') == ['bob'], 'bob\'s reaction on alice\'s message')
    qt = next(int(s) for s, t in zip(attrs(driver, '#messages li.message', 'data-seq'),
                                     texts(driver, '#messages li.message .text')) if t == 'hello from Qt')
    peer.say('/raw ' + json.dumps({'type': 'msg.delete', 'id': 'd1', 'room': 'general', 'seq': qt}))
    wait_for(driver, lambda d: texts(d, f'{li(qt)}.deleted .text') == ['message deleted'], 'bob\'s deleted message')

    # alice deletes one of hers (after confirming).
    gone = next(int(s) for s, t in zip(attrs(driver, '#messages li.message', 'data-seq'),
                                       texts(driver, '#messages li.message .text'))
                if t == 'sent while the server was down')
    click(driver, f'{li(gone)} button.delete-button')
    WebDriverWait(driver, 5).until(lambda d: d.switch_to.alert).accept()
    peer.wait(lambda f: f['type'] == 'msg.deleted' and f['target'] == gone and f['by'] == 'alice', 'alice\'s deletion')
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, f'{li(gone)}.deleted'), 'her message deleted')
    log('ok: a mention marked; a reaction added and taken back; an edit; deletions by bob and by alice')

    # Search: the hit with its word in bold; opening it shows and focuses the message.
    click(driver, 'button.room[data-room="dm:alice:bob"]')
    driver.find_element(By.ID, 'search-text').send_keys('invoice acm' + Keys.ENTER)
    hit = f'#search-results button.hit[data-room="general"][data-seq="{mseq}"]'
    wait_for(driver, lambda d: texts(d, f'{hit} strong.word') == ['invoice', 'ACM'], 'the search hit')
    assert len(driver.find_elements(By.CSS_SELECTOR, '#search-results button.hit')) == 1
    click(driver, hit)
    wait_for(driver, lambda d: d.find_element(By.ID, 'search-panel').get_attribute('hidden') is not None
             and d.find_elements(By.CSS_SELECTOR, 'button.room.active[data-room="general"]')
             and d.switch_to.active_element.get_attribute('data-seq') == str(mseq), 'the hit opened in general')
    driver.find_element(By.ID, 'search-text').clear()
    driver.find_element(By.ID, 'search-text').send_keys('nothing-like-this' + Keys.ENTER)
    wait_for(driver, lambda d: d.find_element(By.ID, 'search-title').text == 'Nothing found for “nothing-like-this”',
             'an empty search')
    driver.find_element(By.ID, 'search-text').clear()
    click(driver, '#search-close')
    log('ok: search finds a message with its words in bold and opens it in its room')


def png(width, height):
    """A real PNG of one colour, made here (no image library needed)."""
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff)
    rows = b''.join(b'\x00' + b'\x2f\x5f\xd0' * width for _ in range(height))
    return (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', width, height, 8, 2, 0, 0, 0))
            + chunk(b'IDAT', zlib.compress(rows)) + chunk(b'IEND', b''))


def choose_file(driver, path):
    """Puts a file into the composer's file input, as the file dialog would."""
    driver.execute_script("document.getElementById('attach-input').hidden = false")
    driver.find_element(By.ID, 'attach-input').send_keys(path)
    driver.execute_script("document.getElementById('attach-input').hidden = true")


def check_files(driver, peer, base, bob, tmp):
    """An image sent from the browser, a file from bob downloaded, one over the limit refused."""
    chart = os.path.join(tmp, 'chart.png')
    with open(chart, 'wb') as f:
        f.write(png(64, 40))
    choose_file(driver, chart)
    got = peer.wait(lambda f: f['type'] == 'message' and f.get('file', {}).get('name') == 'chart.png', 'the image')
    assert got['file']['type'] == 'image/png' and got['file']['size'] == os.path.getsize(chart), got
    img = f'{li(got["seq"])} img.preview'
    wait_for(driver, lambda d: d.execute_script(
        'const i = document.querySelector(arguments[0]); return !!i && i.complete && i.naturalWidth === 64', img),
        'the image preview')
    status, _, raw = http('GET', f'{base}/api/v1/files/{got["file"]["id"]}', token=bob)
    with open(chart, 'rb') as f:
        assert status == 200 and raw == f.read(), status

    # bob sends a text file; the browser downloads it to disk byte for byte.
    body = ('Q3 figures\n' * 400).encode()
    req = urllib.request.Request(f'{base}/api/v1/files?name=q3.txt', data=body, method='POST')
    req.add_header('Authorization', f'Bearer {bob}')
    req.add_header('Content-Type', 'text/plain')
    with urllib.request.urlopen(req, timeout=10) as r:
        meta = json.loads(r.read())
    peer.say('/raw ' + json.dumps({'type': 'msg.send', 'id': 'f1', 'room': 'general', 'clientId': 'file-q3',
                                   'text': 'the figures', 'file': {'id': meta['id'], 'name': 'q3.txt'}}))
    seq = peer.wait(lambda f: f['type'] == 'message' and f.get('clientId') == 'file-q3', 'bob\'s file')['seq']
    chip = f'{li(seq)} .attachment.file'
    wait_for(driver, lambda d: texts(d, f'{chip} .file-name') == ['📄 q3.txt'] and texts(d, f'{chip} .file-size') == ['4.3 KB'],
             'the file chip')
    downloads = os.path.join(tmp, 'downloads')
    os.makedirs(downloads, exist_ok=True)
    driver.execute_cdp_cmd('Page.setDownloadBehavior', {'behavior': 'allow', 'downloadPath': downloads})
    click(driver, f'{chip} button.download')
    target = os.path.join(downloads, 'q3.txt')
    end = time.time() + 15
    while time.time() < end and not (os.path.exists(target) and os.path.getsize(target) == len(body)):
        time.sleep(0.1)
    with open(target, 'rb') as f:
        assert f.read() == body, 'the download differs'

    # Over file_max_bytes: an error in the composer, nothing sent.
    big = os.path.join(tmp, 'big.bin')
    with open(big, 'wb') as f:
        f.write(os.urandom(FILE_MAX + 1))
    before = len([f for f in peer.frames if f['type'] == 'message'])
    choose_file(driver, big)
    wait_for(driver, lambda d: 'error' in d.find_element(By.ID, 'upload-status').get_attribute('class')
             and 'big.bin' in d.find_element(By.ID, 'upload-status').text, 'the upload refused')
    time.sleep(0.5)
    assert len([f for f in peer.frames if f['type'] == 'message']) == before, 'something was sent'
    log('ok: an image sent from the browser with its preview; a file from bob downloaded exactly; '
        'one over the limit refused with a message')


def main():
    global ARGS
    p = argparse.ArgumentParser()
    for a in ('server', 'ctl', 'peer', 'chromium', 'chromedriver', 'screenshot'):
        p.add_argument(f'--{a}', required=a != 'screenshot')
    ARGS = p.parse_args()
    data = tempfile.mkdtemp(prefix='herald-browser-')
    port = free_port()
    base = f'http://127.0.0.1:{port}'
    ctl(data, 'user', 'add', 'alice', '--display', 'Alice Liddell', '--password', PASSWORD)
    ctl(data, 'user', 'add', 'bob', '--display', 'Bob')
    bob = ctl(data, 'token', 'issue', 'bob').split()[0]
    ctl(data, 'service', 'add', 'erp')
    erp = ctl(data, 'token', 'issue-service', 'erp').split()[0]
    ctl(data, 'room', 'create', 'general', '--title', 'General')
    ctl(data, 'room', 'create', 'busy', '--title', 'Busy')
    for u in ('alice', 'bob'):
        ctl(data, 'room', 'add-member', 'general', u)
    ctl(data, 'room', 'add-member', 'busy', 'bob')  # alice joins it from the browser
    server = Server(data, port, base)
    server.start()
    driver, peer = None, None
    try:
        check_static(base, port)
        driver = start_browser()
        driver.get(f'{base}/')
        wait_for(driver, lambda d: state(d) == 'signin', 'the sign-in form')
        check_modules(driver)

        sign_in(driver, 'wrong password')
        wait_for(driver, lambda d: d.find_element(By.ID, 'signin-error').text, 'the wrong-password message')
        assert 'Wrong username or password' in driver.find_element(By.ID, 'signin-error').text
        sign_in(driver, PASSWORD)
        wait_for(driver, lambda d: state(d) == 'connected', 'connected after sign-in')
        assert driver.find_element(By.ID, 'me').text == 'Alice Liddell'
        assert driver.execute_script('return sessionStorage.length') == 1
        assert driver.execute_script('return localStorage.length') == 0
        log('ok: sign-in (a wrong password is refused with a message)')

        # The browser's own notifications, where permitted: grant the permission, record what shows.
        driver.execute_cdp_cmd('Browser.grantPermissions', {'permissions': ['notifications'], 'origin': base})
        driver.execute_script('''window.shownAlerts = [];
            window.Notification = class extends window.Notification {
              constructor(title, options) { super(title, options); window.shownAlerts.push(title); } };''')
        # A notification with actions; Approve is recorded by the server.
        nid = publish(base, erp, 'Approve PO-1182?', [{'id': 'approve', 'label': 'Approve'},
                                                      {'id': 'reject', 'label': 'Reject'}])
        sel = f'li[data-notification-id="{nid}"]'
        wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, f'{sel} button[data-action="approve"]'),
                 'the notification with its Approve button')
        click(driver, f'{sel} button[data-action="approve"]')
        wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, f'{sel} .resolved'), 'resolved')
        assert texts(driver, f'{sel} .resolved') == ['Approve by alice'], texts(driver, f'{sel} .resolved')
        status, _, raw = http('GET', f'{base}/api/v1/notifications/{nid}', token=erp)
        stored = json.loads(raw)
        assert status == 200 and stored['resolved']['action'] == 'approve' and stored['resolved']['by'] == 'alice', raw
        assert stored['readBy'] == 1, raw
        assert driver.execute_script('return window.shownAlerts') == ['Approve PO-1182?'], \
            driver.execute_script('return window.shownAlerts')
        # The tab acknowledged it as delivered and seen (receipts), with its session as the device.
        def receipt():
            s, _, body = http('GET', f'{base}/api/v1/notifications/{nid}/receipts', token=erp)
            assert s == 200, body
            return next(r for r in json.loads(body)['receipts'] if r['user'] == 'alice')
        wait_for(driver, lambda d: receipt()['seen'] is not None, 'the seen receipt from the browser')
        got = receipt()
        assert got['delivered'] and got['delivered']['device'] and got['seen']['device'], got
        log('ok: notification shown (and as a browser notification), Approve clicked, the server recorded it, '
            'with delivered and seen receipts')

        # Its service settles a request in its own system, then withdraws another: the page follows.
        po = publish(base, erp, 'Approve PO-1190?', [{'id': 'approve', 'label': 'Approve'}])
        gone = publish(base, erp, 'Approve PO-1191?', [{'id': 'approve', 'label': 'Approve'}])
        posel, gonesel = f'li[data-notification-id="{po}"]', f'li[data-notification-id="{gone}"]'
        wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, f'{posel} button[data-action="approve"]')
                 and d.find_elements(By.CSS_SELECTOR, gonesel), 'both requests with their buttons')
        unread_before = int(driver.find_element(By.ID, 'unread').text or 0)
        assert unread_before >= 2, unread_before
        status, _, raw = http('PATCH', f'{base}/api/v1/notifications/{po}',
                              {'resolved': 'approved in SAP by bob'}, erp)
        assert status == 200, raw
        wait_for(driver, lambda d: texts(d, f'{posel} .resolved') == ['Resolved by erp: approved in SAP by bob'],
                 'the resolution by the source')
        assert not driver.find_elements(By.CSS_SELECTOR, f'{posel} button[data-action]'), 'buttons left'
        status, _, raw = http('DELETE', f'{base}/api/v1/notifications/{gone}', token=erp)
        assert status in (200, 204), raw
        wait_for(driver, lambda d: not d.find_elements(By.CSS_SELECTOR, gonesel), 'the retracted one gone')
        wait_for(driver, lambda d: int(d.find_element(By.ID, 'unread').text or 0) == unread_before - 1,
                 'the unread count down by one')
        status, _, raw = http('DELETE', f'{base}/api/v1/notifications/{po}', token=erp)
        assert status in (200, 204), raw
        wait_for(driver, lambda d: not d.find_elements(By.CSS_SELECTOR, posel), 'the resolved one retracted too')
        log('ok: a request resolved by its source loses its buttons and says so; retracted ones disappear')

        # Two of one thread: one entry with the count and the newest title; "Mark thread read"
        # reads both (and only them).
        first = publish(base, erp, 'Disk 91% on db-2', thread_key='db-2-disk')
        newest = publish(base, erp, 'Disk 95% on db-2', thread_key='db-2-disk')
        tsel = f'li[data-notification-id="{newest}"]'
        wait_for(driver, lambda d: texts(d, f'{tsel} .thread-count') == ['2 in thread'], 'one entry for the thread')
        assert not driver.find_elements(By.CSS_SELECTOR, f'li[data-notification-id="{first}"]'), 'the thread is stacked'
        assert texts(driver, f'{tsel} .title') == ['Disk 95% on db-2']
        unread_before = int(driver.find_element(By.ID, 'unread').text or 0)
        button = driver.find_element(By.CSS_SELECTOR, f'{tsel} button.mark-thread-read')
        assert button.get_attribute('aria-label') == 'Mark thread read', button.get_attribute('aria-label')
        click(driver, f'{tsel} button.mark-thread-read')
        wait_for(driver, lambda d: int(d.find_element(By.ID, 'unread').text or 0) == unread_before - 2,
                 'the unread count down by the thread')
        wait_for(driver, lambda d: not d.find_elements(By.CSS_SELECTOR, f'{tsel} button.mark-thread-read'),
                 'nothing left to read in the thread')
        for n in (first, newest):
            status, _, raw = http('GET', f'{base}/api/v1/notifications/{n}', token=erp)
            assert status == 200 and json.loads(raw)['readBy'] == 1 and json.loads(raw)['threadKey'] == 'db-2-disk', raw
            assert http('DELETE', f'{base}/api/v1/notifications/{n}', token=erp)[0] in (200, 204)
        wait_for(driver, lambda d: not d.find_elements(By.CSS_SELECTOR, tsel), 'the thread retracted')
        log('ok: a thread is one entry with its count; "Mark thread read" reads all of it')

        # Chat with the Qt client, both ways.
        peer = ChatPeer(port, bob, 'general')
        wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, 'button.room.active[data-room="general"]'),
                 'the general room selected')
        box = driver.find_element(By.ID, 'send-text')
        box.send_keys('hello from the browser' + Keys.ENTER)
        peer.wait(lambda f: f['type'] == 'message' and f['text'] == 'hello from the browser' and f['from'] == 'alice',
                  'the browser message')
        peer.say('hello from Qt')
        wait_for(driver, lambda d: 'hello from Qt' in texts(d, '#messages li.message[data-seq] .text'),
                 'the Qt message in the browser')
        wait_for(driver, lambda d: 'bob (online)' in texts(d, '#members li'), 'bob online in the member list')
        wait_for(driver, lambda d: d.find_element(By.ID, 'online').text == '2 online', 'the online count')
        log('ok: chat between the browser and the Qt client, both ways, with presence and the online count')

        check_before_auth(driver, port)

        # Kill -9 the server; publish and chat while the browser is away; nothing lost or doubled.
        server.kill9()
        peer.wait(lambda f: f['type'] == 'closed', 'the close after kill -9')
        peer.close()
        wait_for(driver, lambda d: state(d) in ('waiting', 'connecting'), 'the browser noticing the drop')
        box.send_keys('sent while the server was down' + Keys.ENTER)
        wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, '#messages li.pending'), 'the pending message')
        time.sleep(1.5)
        server.start()
        missed = [publish(base, erp, f'Missed {i}', retry_s=10) for i in (1, 2)]
        peer = ChatPeer(port, bob, 'general')
        for i in (1, 2):
            peer.say(f'missed chat {i}')
        for i in (1, 2):
            answer = peer.wait(lambda f: f['type'] in ('result', 'error') and f.get('id') == i, f'answer {i}')
            assert answer['type'] == 'result' and not answer['data']['duplicate'], answer
        wait_for(driver, lambda d: state(d) == 'connected', 'the browser reconnected', timeout=45)
        live = publish(base, erp, 'Live after restart')
        peer.say('live chat after restart')
        want_titles = ['Approve PO-1182?', 'Missed 1', 'Missed 2', 'Live after restart']
        want_texts = ['hello from the browser', 'hello from Qt', 'sent while the server was down',
                      'missed chat 1', 'missed chat 2', 'live chat after restart']
        wait_for(driver, lambda d: all(t in texts(d, '#notifications .title') for t in want_titles)
                 and all(t in texts(d, '#messages li.message[data-seq] .text') for t in want_texts),
                 'every notification and message after the restart')
        # The browser may reconnect (and send what it queued) before or after the Qt client
        # does: the Qt client has the message live, or else in the room's history.
        queued = 'sent while the server was down'
        try:
            peer.wait(lambda f: f['type'] == 'message' and f['text'] == queued,
                      'the message the browser queued while the server was down', timeout=5)
        except AssertionError:
            peer.say('/history')
            page = peer.wait(lambda f: f['type'] == 'result' and f.get('id') == 'history',
                             'the room history')
            got = [m['text'] for m in page['data']['messages']]
            assert got.count(queued) == 1, f'the queued message is not in the history once: {got}'
        time.sleep(1.0)  # anything doubled would have arrived by now
        titles = texts(driver, '#notifications .title')
        assert sorted(titles) == sorted(want_titles), f'notifications not exactly once: {titles}'
        ids = [int(i) for i in attrs(driver, '#notifications li.notification', 'data-notification-id')]
        assert sorted(ids) == sorted([nid, *missed, live]), ids
        msgs = texts(driver, '#messages li.message[data-seq] .text')
        # The queued message goes out after the resume, so its place among the missed ones varies.
        assert sorted(msgs) == sorted(want_texts), f'messages not exactly once: {msgs}'
        assert msgs[:2] == want_texts[:2] and msgs[-1] == want_texts[-1], msgs
        seqs = [int(i) for i in attrs(driver, '#messages li.message', 'data-seq')]
        assert seqs == list(range(1, len(want_texts) + 1)), seqs
        assert not driver.find_elements(By.CSS_SELECTOR, '#messages li.pending')
        log('ok: kill -9 and restart: every notification and message shown exactly once, in order')

        # A direct message opened from the browser, and an urgent notification for the picture.
        driver.find_element(By.ID, 'dm-name').send_keys('bob' + Keys.ENTER)
        wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, 'button.room.active[data-room="dm:alice:bob"]'),
                 'the DM with bob open')
        driver.find_element(By.ID, 'send-text').send_keys('a word in private' + Keys.ENTER)
        peer.wait(lambda f: f['type'] == 'message' and f['room'] == 'dm:alice:bob', 'the DM in the Qt client')
        click(driver, 'button.room[data-room="general"]')
        deploy = publish(base, erp, 'Deploy api-7 to production?',
                         [{'id': 'approve', 'label': 'Approve'}, {'id': 'reject', 'label': 'Reject'}],
                         priority='urgent', text='Release 7.2.0 passed staging; the window closes at 18:00.')
        wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, f'li[data-notification-id="{deploy}"] button'),
                 'the deploy notification')
        log('ok: a DM opened and used from the browser')
        check_chat_changes(driver, peer)
        check_files(driver, peer, base, bob, data)

        if ARGS.screenshot:
            driver.save_screenshot(ARGS.screenshot)
            log(f'screenshot: {ARGS.screenshot}')

        # Joining a public room with more history than one page: the newest 50 first, then
        # "Load older messages".
        busy = ChatPeer(port, bob, 'busy')
        for i in range(1, 61):
            busy.say(f'busy {i}')
            time.sleep(0.06)  # under the frame rate limit (20 per second)
        answer = busy.wait(lambda f: f['type'] in ('result', 'error') and f.get('id') == 60, 'the 60th send answered')
        assert answer['type'] == 'result', answer
        busy.close()
        driver.find_element(By.ID, 'join-name').send_keys('busy' + Keys.ENTER)
        wait_for(driver, lambda d: len(attrs(d, '#messages li.message', 'data-seq')) == 50
                 and d.find_elements(By.ID, 'older-button'), 'the newest page of busy')
        assert [int(i) for i in attrs(driver, '#messages li.message', 'data-seq')] == list(range(11, 61))
        click(driver, '#older-button')
        wait_for(driver, lambda d: len(attrs(d, '#messages li.message', 'data-seq')) == 60, 'the older page')
        assert [int(i) for i in attrs(driver, '#messages li.message', 'data-seq')] == list(range(1, 61))
        assert not driver.find_elements(By.ID, 'older-button')
        click(driver, 'button.room[data-room="general"]')
        log('ok: a room joined from the browser, its history paged backward with "Load older messages"')

        # Mark all read: the badge goes, and the server counts alice as a reader.
        assert driver.find_element(By.ID, 'unread').text != ''
        click(driver, '#readall-button')
        wait_for(driver, lambda d: d.find_element(By.ID, 'unread').text == '' and not d.find_elements(
            By.CSS_SELECTOR, '#notifications li.unread'), 'everything read')
        status, _, raw = http('GET', f'{base}/api/v1/notifications/{live}', token=erp)
        assert status == 200 and json.loads(raw)['readBy'] == 1, raw
        log('ok: mark all read')

        # Revoking the session token sends the browser back to the sign-in form, for good.
        token = json.loads(driver.execute_script('return sessionStorage.getItem("herald.session")'))['token']
        ctl(data, 'token', 'revoke', token.split('_')[1])
        wait_for(driver, lambda d: state(d) == 'signin', 'the sign-in form after revoke')
        assert 'session has ended' in driver.find_element(By.ID, 'signin-error').text
        assert driver.execute_script('return sessionStorage.getItem("herald.session")') is None
        time.sleep(3)
        assert state(driver) == 'signin', 'the browser reconnected with a revoked token'
        # A stale (revoked) token left in storage: one try, 4001, the form with the message.
        driver.execute_script('sessionStorage.setItem("herald.session", JSON.stringify({token: arguments[0]}))', token)
        driver.refresh()
        wait_for(driver, lambda d: state(d) == 'signin' and d.find_element(By.ID, 'signin-error').text,
                 'the sign-in form for a stale token')
        assert 'session has ended' in driver.find_element(By.ID, 'signin-error').text
        sign_in(driver, PASSWORD)
        wait_for(driver, lambda d: state(d) == 'connected', 'signed in again')
        log('ok: a revoked or stale token returns to the sign-in form with a message, no reconnect loop')

        # Signing out revokes the session on the server: the token no longer signs anything in.
        token = json.loads(driver.execute_script('return sessionStorage.getItem("herald.session")'))['token']
        click(driver, '#signout-button')
        wait_for(driver, lambda d: state(d) == 'signin', 'the sign-in form after signing out')
        deadline = time.time() + 10
        while http('POST', f'{base}/api/v1/logout', token=token)[0] != 401:
            assert time.time() < deadline, 'the signed-out token still works on the server'
            time.sleep(0.2)
        sign_in(driver, PASSWORD)
        wait_for(driver, lambda d: state(d) == 'connected', 'signed in after signing out')
        log('ok: sign-out revokes the session token on the server')

        # An idle session expires (session_idle_days, 30 by default): the server's clock moved 31
        # days on, the browser is told why (close 4010) and stays on the sign-in form.
        server.kill9()
        server.start(clock_offset_ms=31 * 24 * 3600 * 1000)
        wait_for(driver, lambda d: state(d) == 'signin' and 'expired' in d.find_element(By.ID, 'signin-error').text,
                 'the sign-in form for an expired session', timeout=60)
        time.sleep(3)
        assert state(driver) == 'signin', 'the browser reconnected with an expired session'
        server.kill9()
        server.start()
        sign_in(driver, PASSWORD)
        wait_for(driver, lambda d: state(d) == 'connected', 'signed in after the expiry')
        log('ok: an expired session returns to the sign-in form saying so, no reconnect loop')

        # A server that stops answering without closing (SIGSTOP: the TCP connection stays up) is
        # noticed by the client's own ping within 25 + 10 s, and the client reconnects.
        server.proc.send_signal(signal.SIGSTOP)
        try:
            wait_for(driver, lambda d: state(d) in ('waiting', 'connecting'), 'the stalled server noticed', timeout=50)
        finally:
            server.proc.send_signal(signal.SIGCONT)
        wait_for(driver, lambda d: state(d) == 'connected', 'connected again after the stall', timeout=45)
        log('ok: a stalled server is noticed by the ping and the client reconnects')

        # The same client in a Chinese browser: the zh_CN strings, chosen from navigator.language.
        zh = start_browser('zh-CN')
        try:
            zh.get(f'{base}/')
            wait_for(zh, lambda d: state(d) == 'signin', 'the sign-in form in Chinese')
            assert zh.execute_script('return document.documentElement.lang') == 'zh-CN'
            assert zh.find_element(By.CSS_SELECTOR, 'label[for=username]').text == '用户名'
            sign_in(zh, PASSWORD)
            wait_for(zh, lambda d: state(d) == 'connected', 'connected in Chinese')
            assert zh.find_element(By.ID, 'status').text == '已连接'
            assert zh.find_element(By.ID, 'send-text').get_attribute('aria-label') == '消息内容'
            wait_for(zh, lambda d: d.find_elements(By.CSS_SELECTOR, '#messages li.message'), 'the history in Chinese')
            if ARGS.screenshot:
                zh.save_screenshot(ARGS.screenshot.replace('.png', '-zh.png'))
        finally:
            zh.quit()
        log('ok: zh_CN strings in a Chinese browser')

        bad = [e['message'] for e in driver.get_log('browser')
               if e['level'] == 'SEVERE' and 'Content Security Policy' in e['message']]
        assert not bad, f'CSP violations: {bad}'
        log('PASS')
    finally:
        if driver:
            driver.quit()
        if peer:
            peer.close()
        server.stop()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == '__main__':
    main()
