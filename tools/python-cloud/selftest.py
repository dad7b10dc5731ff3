#!/usr/bin/env python3
"""Self-test of cloud.py: drives it as a subprocess with urllib and the websockets client, the way a
device would, and checks its answers and its state file. Exits non-zero on any mismatch.

    python3 tools/python-cloud/selftest.py
"""
import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
import uuid

try:
    import websockets
except ImportError:
    # Same fallback as cloud.py: Debian's python3 is the one with python3-websockets.
    if os.path.exists("/usr/bin/python3") and not os.environ.get("PYTHON_CLOUD_REEXEC"):
        os.environ["PYTHON_CLOUD_REEXEC"] = "1"
        os.execv("/usr/bin/python3", ["/usr/bin/python3", *sys.argv])
    raise

HERE = os.path.dirname(os.path.abspath(__file__))
TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
API_KEY = "selftest-key"
results = {"passed": 0, "failed": 0}


def check(name, ok, detail=""):
    results["passed" if ok else "failed"] += 1
    print(f"{'ok  ' if ok else 'FAIL'} {name}{'' if ok else f': {detail}'}", flush=True)


def start_cloud(state_file):
    proc = subprocess.Popen(
        [sys.executable, os.path.join(HERE, "cloud.py"), "--port", "0", "--state-file", state_file,
         "--api-key", API_KEY, "--heartbeat-ms", "500", "--max-inflight", "7"],
        stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline().strip()
    m = re.fullmatch(r"READY ws=(ws://127\.0\.0\.1:\d+/ws) api=(http://127\.0\.0\.1:\d+)", line)
    if not m:
        proc.kill()
        sys.exit(f"selftest: unexpected first line from cloud.py: {line!r}")
    return proc, m.group(1), m.group(2)


def stop_cloud(proc, name):
    proc.send_signal(signal.SIGTERM)
    check(name, proc.wait(timeout=10) == 0)
    proc.stdout.close()


def get_token(api, device, tenant, key):
    req = urllib.request.Request(f"{api}/device-token", headers={"X-Device-Id": device, "X-Tenant-Id": tenant})
    if key:
        req.add_header("Authorization", f"Bearer {key}")
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status, json.load(resp)
    except urllib.error.HTTPError as e:
        return e.code, None


def envelope(kind, payload, seq=None, msg_id=None):
    frame = {"type": kind, "id": msg_id or str(uuid.uuid4()), "ts": "2026-11-24T10:00:00.123Z", "payload": payload}
    if seq is not None:
        frame["seq"] = seq
    return json.dumps(frame)


async def recv(ws):
    frame = json.loads(await asyncio.wait_for(ws.recv(), timeout=5))
    ok = (isinstance(frame.get("type"), str) and isinstance(frame.get("payload"), dict)
          and TS.match(frame.get("ts", "")) is not None and str(uuid.UUID(frame["id"])) == frame["id"])
    check(f"envelope of {frame.get('type')}", ok, frame)
    return frame


def open_ws(ws_url, device, tenant, token):
    headers = [("X-Device-Id", device), ("X-Tenant-Id", tenant)]
    if token:
        headers.append(("Authorization", f"Bearer {token}"))
    return websockets.connect(ws_url, extra_headers=headers, ping_interval=None)


async def connect(ws_url, device, tenant, token, expect_acked):
    ws = await open_ws(ws_url, device, tenant, token)
    await ws.send(envelope("connect", {"device_id": device, "tenant_id": tenant, "token": token, "protocol": 1,
                                       "agent": {"name": "selftest", "version": "1"}, "resume": {"last_seq": 0}}))
    ack = await recv(ws)
    p = ack["payload"]
    check("connect_ack", ack["type"] == "connect_ack" and p.get("acked_seq") == expect_acked
          and p.get("heartbeat_interval_ms") == 500 and p.get("max_inflight") == 7 and p.get("session_id"), ack)
    return ws


async def session(ws_url, api, state_file):
    check("token refused without API key", get_token(api, "dev-1", "ten-1", None)[0] == 401)
    status, body = get_token(api, "dev-1", "ten-1", API_KEY)
    check("token issued", status == 200 and body.get("expires_in") == 3600 and body.get("token"), body)
    token = body["token"]

    try:
        await open_ws(ws_url, "dev-1", "ten-1", "not-a-token")
        check("upgrade with a bad token is refused", False, "upgrade accepted")
    except websockets.InvalidStatusCode as e:
        check("upgrade with a bad token is refused", e.status_code == 401, e.status_code)

    ws = await connect(ws_url, "dev-1", "ten-1", token, expect_acked=0)
    first = str(uuid.uuid4())
    sent = [(1, first), (2, str(uuid.uuid4())), (2, first)]  # the third is a resend: a duplicate (R6)
    kinds = ["execution_event", "usage_report", "execution_event"]
    for (seq, msg_id), kind in zip(sent, kinds):
        await ws.send(envelope(kind, {"n": seq}, seq=seq, msg_id=msg_id))
    acks = [(await recv(ws))["payload"].get("seq") for _ in sent]
    check("cumulative acks 1, 2, 2", acks == [1, 2, 2], acks)

    for bad in ("{not json", b"\x00\x01binary", json.dumps({"payload": {}})):
        await ws.send(bad)  # R15: dropped without an answer, the connection stays up
    await ws.send(envelope("heartbeat", {"last_seq": 2, "pending": 0}))
    hb = await recv(ws)
    check("heartbeat_ack after bad frames", hb["type"] == "heartbeat_ack" and TS.match(hb["payload"].get("ts", "")), hb)

    # R4: a lower seq than one already sent on this connection is recorded.
    await ws.send(envelope("messaging_reply", {}, seq=5))
    await ws.send(envelope("messaging_reply", {}, seq=4))
    acks = [(await recv(ws))["payload"].get("seq") for _ in range(2)]
    check("acks never go backwards", acks == [5, 5], acks)
    await ws.close()

    with open(state_file) as f:
        state = json.load(f)
    dev = state["devices"].get("dev-1", {})
    expected = {"messages": 4, "duplicates": 1, "acked_seq": 5, "highest_seq": 5, "seqs_in_order": False,
                "by_type": {"execution_event": 1, "usage_report": 1, "messaging_reply": 2}}
    check("state file: device", dev == expected, dev)
    check("state file: counters", (state["connections"], state["heartbeats"], state["bad_frames"]) == (1, 1, 3), state)

    # §3.4: a connect whose tenant differs from the token's is refused with error + 4403.
    ws = await open_ws(ws_url, "dev-1", "ten-1", token)
    await ws.send(envelope("connect", {"device_id": "dev-1", "tenant_id": "other", "token": token, "protocol": 1}))
    err = await recv(ws)
    try:
        await asyncio.wait_for(ws.recv(), timeout=5)
    except websockets.ConnectionClosed:
        pass
    check("tenant mismatch refused", err["payload"].get("code") == "tenant_mismatch" and ws.close_code == 4403,
          (err, ws.close_code))
    return token


async def after_restart(ws_url, token):
    ws = await connect(ws_url, "dev-1", "ten-1", token, expect_acked=5)  # durable across a restart
    await asyncio.sleep(0.2)
    return ws


def main():
    with tempfile.TemporaryDirectory() as tmp:
        state_file = os.path.join(tmp, "state.json")
        proc, ws_url, api = start_cloud(state_file)
        try:
            token = asyncio.run(session(ws_url, api, state_file))
        finally:
            stop_cloud(proc, "exit 0 on SIGTERM")

        proc, ws_url, api = start_cloud(state_file)  # same state file: same store, same tokens

        async def restart_and_stop():
            ws = await after_restart(ws_url, token)
            proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(ws.recv(), timeout=5)
            except websockets.ConnectionClosed:
                pass
            check("closed with 1001 on shutdown", ws.close_code == 1001, ws.close_code)

        try:
            asyncio.run(restart_and_stop())
        finally:
            stop_cloud(proc, "exit 0 after restart")
    print(f"selftest: {results['passed']} passed, {results['failed']} failed")
    sys.exit(1 if results["failed"] else 0)


if __name__ == "__main__":
    main()
